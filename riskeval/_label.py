"""Label: a text in Chinese and English, the one shape that pack files, visit plans and results share."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Label(BaseModel):
    """A name or a text in Chinese and English."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    zh: str = Field(min_length=1, description="The text in Chinese.", examples=["困境儿童"])
    en: str = Field(min_length=1, description="The text in English.", examples=["child in difficulty"])
