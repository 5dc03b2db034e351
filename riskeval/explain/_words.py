"""The words of explanations in Chinese and English: fact paths, fact values and sentence templates.

Vocabulary of the fact schema only (what a field means, how a value reads); never policy, which is in the
pack's labels and sources. A path or value missing here falls back to itself, so a new fact field shows
up raw rather than disappearing.
"""

from __future__ import annotations

# Whose fact it is, possessive: ``father.status`` → 父亲的 / the father's.
SUBJECTS: dict[str, tuple[str, str]] = {
    "child": ("儿童的", "the child's"),
    "father": ("父亲的", "the father's"),
    "mother": ("母亲的", "the mother's"),
    "caregiver": ("照料人的", "the caregiver's"),
    "household": ("家庭的", "the household's"),
    "members": ("家庭成员的", "household members'"),  # household.members[<id>].x: the id is never shown
}

# Chinese attributes that read as a clause join their subject without 的: 父亲是否患重病, 父亲与儿童联系的频率.
CLAUSE_STARTS_ZH = ("是否", "与", "在")

# A role with no record at all (``father`` unknown): whose record is missing.
WHOLE_SUBJECT: dict[str, tuple[str, str]] = {
    "child": ("儿童的信息", "the child's record"),
    "father": ("父亲的信息", "the father's record"),
    "mother": ("母亲的信息", "the mother's record"),
    "caregiver": ("照料人的信息", "the caregiver's record"),
    "household": ("家庭的信息", "the household's record"),
    "members": ("家庭成员的信息", "the household members' records"),
}

# What the fact is, after the subject: ``status`` → 状况 / status.
ATTRIBUTES: dict[str, tuple[str, str]] = {
    "age": ("年龄", "age"),
    "birth_date": ("出生日期", "birth date"),
    "sex": ("性别", "sex"),
    "relation": ("与儿童的关系", "relation to the child"),
    "status": ("状况", "status"),
    "status_since": ("状况起始日期", "status start date"),
    "status_until": ("状况终止日期", "status end date"),
    "disability": ("残疾情况", "disability"),
    "disability.type": ("残疾类别", "disability type"),
    "disability.grade": ("残疾等级", "disability grade"),
    "disability.components": ("多重残疾的类别", "kinds of a multiple disability"),
    "serious_illness": ("是否患重病", "serious illness"),
    "medical_spending_12m": ("近12个月医疗支出（元）", "12-month medical spending (yuan)"),
    "civil_capacity": ("民事行为能力", "civil capacity"),
    "employment": ("就业情况", "employment"),
    "lives_with_children": ("是否与儿童同住", "living with the children"),
    "substance_abuse": ("是否吸毒或酗酒", "substance abuse"),
    "domestic_violence": ("是否有家庭暴力行为", "domestic violence"),
    "contact": ("与儿童联系的频率", "contact with the child"),
    "last_seen_in_person": ("最近一次与儿童见面的日期", "last in-person meeting with the child"),
    "hukou": ("户籍", "hukou (household registration)"),
    "hukou.province": ("户籍所在省份", "hukou province"),
    "hukou.county": ("户籍所在县区", "hukou county"),
    "hukou.type": ("户籍类型", "hukou type"),
    "residence": ("居住地", "residence"),
    "residence.county": ("居住县区", "county of residence"),
    "residence.since": ("在现居住地居住的起始日期", "date of moving to the residence"),
    "school": ("就学情况", "schooling"),
    "working": ("是否就业", "work"),
    "medical_insurance": ("是否参加医疗保险", "medical insurance"),
    "psych": ("心理状况", "psychological state"),
    "behaviour": ("不良行为", "record of behaviour problems"),
    "safety": ("安全状况", "safety situation"),
    "adopted": ("是否被收养", "adoption"),
    "birth_parents_untraceable": ("是否查找不到生父母", "untraceable birth parents"),
    "father_untraceable": ("是否查找不到生父", "untraceable father"),
    "mother_untraceable": ("是否查找不到生母", "untraceable mother"),
    "acts_as_carer": ("是否承担照料家人的责任", "caring for a family member"),
    "entrusted_care_agreement": ("是否签订书面委托照护协议", "written entrusted-care agreement"),
    "has_residence_permit": ("是否持有居住证", "residence permit"),
    "identified_on": ("首次识别日期", "date first identified"),
    "last_visit": ("上次走访日期", "last visit"),
    "last_full_assessment": ("上次全面评估日期", "last full assessment"),
    "economy": ("经济状况", "economic situation"),
    "economy.dibao": ("低保、特困状态", "低保/特困 status"),
    "economy.income_per_capita": ("人均月收入（元）", "monthly income per person (yuan)"),
    "economy.medical_spending_12m": ("近12个月医疗支出（元）", "12-month medical spending (yuan)"),
    "economy.education_spending_12m": ("近12个月教育支出（元）", "12-month education spending (yuan)"),
    "economy.child_support_unpaid_months": ("抚养费拖欠月数", "months of unpaid child support"),
    "economy.income_drop_pct_3m": ("近3个月收入降幅（%）", "income drop over 3 months (%)"),
    "economy.assets_over_limit": ("资产是否超过限额", "assets over the limit"),
    "housing": ("住房情况", "housing"),
    "parents_relationship": ("父母婚姻关系", "parents' relationship"),
    "members": ("家庭成员", "members"),
    "father": ("父亲是谁", "father (who he is)"),
    "mother": ("母亲是谁", "mother (who she is)"),
    "caregiver": ("照料人是谁", "caregiver (who it is)"),
}

# Chinese words of enum values, by the field's last name (English shows the value, "_" as a space).
VALUES_ZH: dict[str, dict[str, str]] = {
    "status": {
        "present": "在家",
        "away_for_work": "外出务工",
        "deceased": "死亡",
        "declared_dead": "被宣告死亡",
        "declared_missing": "被宣告失踪",
        "imprisoned": "服刑在押",
        "compulsory_rehab": "强制隔离戒毒",
        "liberty_restricted": "被限制人身自由",
        "lost_contact": "失联",
        "guardianship_revoked": "被撤销监护资格",
        "deported": "被遣送出境",
    },
    "relation": {
        "father": "父亲",
        "mother": "母亲",
        "grandfather": "祖父或外祖父",
        "grandmother": "祖母或外祖母",
        "other_relative": "其他亲属",
        "entrusted_caregiver": "受委托照护人",
        "step_parent": "继父母",
        "other": "其他",
    },
    "civil_capacity": {"full": "完全民事行为能力", "limited": "限制民事行为能力", "none": "无民事行为能力"},
    "employment": {
        "employed": "就业",
        "irregular": "工作不稳定或时间不规律",
        "unemployed": "失业",
        "unable": "无劳动能力",
        "retired": "退休",
    },
    "contact": {"weekly": "每周", "monthly": "每月", "rarely": "很少", "none": "无联系"},
    "type": {
        "visual": "视力残疾",
        "hearing": "听力残疾",
        "speech": "言语残疾",
        "physical": "肢体残疾",
        "intellectual": "智力残疾",
        "mental": "精神残疾",
        "multiple": "多重残疾",
        "urban": "城镇",
        "rural": "农村",
    },
    "sex": {"male": "男", "female": "女"},
    "school": {
        "enrolled": "在读",
        "suspended": "休学",
        "dropped_out": "辍学",
        "not_enrolled": "未入学",
        "graduated": "已毕业",
        "not_school_age": "未到入学年龄",
    },
    "psych": {"normal": "正常", "concern": "需要关注", "serious": "严重", "crisis": "危机"},
    "behaviour": {"truancy": "逃学", "nights_away": "夜不归宿", "delinquency": "违法犯罪"},
    "safety": {
        "abuse": "虐待",
        "domestic_violence": "家庭暴力",
        "sexual_abuse": "性侵害",
        "abandonment": "遗弃",
        "trafficking": "拐卖",
        "living_alone": "单独生活",
        "unattended": "无人看护",
        "missing": "走失",
        "runaway": "离家出走",
        "vagrant": "流浪乞讨",
    },
    "dibao": {"none": "无", "low_income": "低保边缘", "dibao": "低保", "tekun": "特困"},
    "housing": {
        "adequate": "良好",
        "poor": "条件差",
        "overcrowded": "拥挤",
        "dilapidated": "危房",
        "eviction_notice": "收到腾退通知",
        "homeless": "无住所",
    },
    "parents_relationship": {
        "married": "已婚",
        "separated": "分居",
        "divorced": "离婚",
        "widowed": "丧偶",
        "never_married": "未婚",
    },
}
VALUES_ZH["components"] = VALUES_ZH["type"]

VALUES_EN: dict[str, dict[str, str]] = {
    "dibao": {"none": "none", "low_income": "low income", "dibao": "低保 (dibao)", "tekun": "特困 (tekun)"},
}

# Sentence templates. Placeholders are filled by riskeval.explain; every key exists in both languages.
TEMPLATES: dict[str, dict[str, str]] = {
    "zh": {
        "header": "评估日期：{on}；规则包：{pack} {version}。",
        "on_roster": "状态：在册（规则：{label}；依据：{source}）。",
        "not_on_roster": (
            "状态：不在册，不属于任何类别，也不存在使其纳入花名册的风险因素（在册规则：{label}；依据：{source}）。"
        ),
        "exited": "状态：已退出（规则：{label}；依据：{source}）。不再适用类别和风险层级，跟进走访见走访计划。",
        "undetermined": (
            "状态：待核实。现有信息不足以确定该儿童是否在册，须走访核实：{facts}（核实走访期限见走访计划）。"
        ),
        "categories": "所属类别：",
        "categories_none": "所属类别：无。",
        "categories_open_none": "所属类别：已确认的无；待核实：{items}。",
        "categories_open": "- 待核实：{items}。",
        "open_category": "{label}（缺：{facts}）",
        "category": "- {label}：所读取的事实：{facts}。依据：{source}。",
        "factors": "风险因素：",
        "factors_none": "风险因素：无。",
        "factor": "- {code} {label}（{severity}）：所读取的事实：{facts}。依据：{source}。",
        "points": "{label}，{points}分",
        "no_facts": "未记录具体事实",
        "tier": "风险层级：{tier}，由“{row}”（{row_id}；依据：{source}）确定；风险总分{score}。",
        "tier_none": "风险层级：无（不在花名册中）；风险总分{score}。",
        "tier_undetermined": "风险层级：待在册状态核实后确定；风险总分{score}。",
        "frequency": "最低走访频次：{frequency}。",
        "duty": "须办理——{label}（{id}；依据：{source}）。",
        "duty_may": "，并可能须办理——{label}（{id}）",
        "override": (
            "层级调整：计算所得层级{computed}于{date}经批准调整为{final}（理由代码：{reason}）；"
            "最低走访频次随之为{frequency}。"
        ),
        "gaps": "可能改变结果的缺失信息：",
        "gaps_none": "没有可能改变风险层级的缺失信息。",
        "gap_short": "- {facts}未知；如果查明且{condition}，{effect}。",
        "gap_long": "- 以下信息未知：{facts}。如果查明且{condition}，{effect}。",
        "cond_category": "符合{label}的认定条件",
        "cond_factor": "存在风险因素{code}（{label}）",
        "cond_roster": "符合“{label}”",
        "becomes_category": "该儿童将属于{label}，{tier}",
        "becomes_category_enters": "该儿童将属于{label}并纳入花名册，风险层级为{tier}",
        "becomes_exited": "该儿童将退出花名册",
        "tier_becomes": "风险层级将变为{tier}",
        "tier_stays": "风险层级仍为{tier}",
        "tier_enters": "该儿童将纳入花名册，风险层级为{tier}",
        "tier_still_off": "但该儿童仍不在花名册中",
        "status_still_open": "但在册状态仍待核实",
        "value": "{fact}：{value}",
        "sep": "；",
        "list_sep": "、",
        "last_sep": "和",
        "yes": "是",
        "no": "否",
        "none": "无",
    },
    "en": {
        "header": "Assessed on {on} under rule pack {pack} {version}.",
        "on_roster": "Status: on the roster, by the rule “{label}” (source: {source}).",
        "not_on_roster": (
            "Status: not on the roster: no category applies and no factor puts the child on it "
            "(roster rule “{label}”; source: {source})."
        ),
        "exited": (
            "Status: exited, by the rule “{label}” (source: {source}). No category or tier applies; "
            "the follow-up visits are in the visit plan."
        ),
        "undetermined": (
            "Status: to be verified. The facts cannot tell whether the child is on the roster; a visit must "
            "verify: {facts} (the verification visit is in the visit plan)."
        ),
        "categories": "Categories:",
        "categories_none": "Categories: none.",
        "categories_open_none": "Categories: none confirmed; to be verified: {items}.",
        "categories_open": "- To be verified: {items}.",
        "open_category": "{label} (missing: {facts})",
        "category": "- {label}: facts read: {facts}. Source: {source}.",
        "factors": "Risk factors:",
        "factors_none": "Risk factors: none.",
        "factor": "- {code} {label} ({severity}): facts read: {facts}. Source: {source}.",
        "points": "{label}, {points} points",
        "no_facts": "no single fact recorded",
        "tier": "Tier: {tier}, decided by the row “{row}” ({row_id}; source: {source}); score {score}.",
        "tier_none": "Tier: none (not on the roster); score {score}.",
        "tier_undetermined": "Tier: decided once the roster status is verified; score {score}.",
        "frequency": "Minimum home visits: {frequency}.",
        "duty": "Required — {label} ({id}; source: {source}).",
        "duty_may": ", and the duty {id} may apply: {label}",
        "override": (
            "Override: the computed tier {computed} was changed to {final} on {date}, with approval "
            "(reason code {reason}); the minimum home visits follow it: {frequency}."
        ),
        "gaps": "Missing information that could change the result:",
        "gaps_none": "No missing information could change the tier.",
        "gap_short": "- {facts} {verb} unknown; if {pronoun} were known and {condition}, {effect}.",
        "gap_long": "- Unknown: {facts}. If these were known and {condition}, {effect}.",
        "cond_category": "the {rule} rule held",
        "cond_factor": "factor {code} ({label}) held",
        "cond_roster": "the rule “{label}” held",
        "becomes_category": "the child would be {article} {label} and {tier}",
        "becomes_category_enters": "the child would be {article} {label}, on the roster with the tier {tier}",
        "becomes_exited": "the child would leave the roster ({status})",
        "tier_becomes": "the tier would become {tier}",
        "tier_stays": "the tier would stay {tier}",
        "tier_enters": "the child would be on the roster with the tier {tier}",
        "tier_still_off": "the child would still not be on the roster",
        "status_still_open": "the roster status would still be to be verified",
        "value": "{fact}: {value}",
        "sep": "; ",
        "list_sep": ", ",
        "last_sep": " and ",
        "yes": "yes",
        "no": "no",
        "none": "none",
    },
}
