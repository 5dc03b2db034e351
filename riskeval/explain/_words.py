"""The words of explanations in Chinese and English: fact paths, fact values and sentence templates.

Vocabulary of the fact schema only (what a field means, how a value reads); never policy, which is in the
pack's labels and sources. A path or value missing here falls back to itself, so a new fact field shows
up raw rather than disappearing.
"""

from __future__ import annotations

# Whose fact it is, possessive: ``father.status`` → 父亲的 / the father's.
# In Chinese the subject and the attribute form one compound (父亲状况, 儿童年龄) without 的: a phrase such as
# 父亲上次与儿童见面日期 then never doubles 的.
SUBJECTS: dict[str, tuple[str, str]] = {
    "child": ("儿童", "the child's"),
    "father": ("父亲", "the father's"),
    "mother": ("母亲", "the mother's"),
    "caregiver": ("照料人", "the caregiver's"),
    "household": ("家庭", "the household's"),
    "members": ("家庭成员", "household members'"),  # household.members[<id>].x: the id is never shown
}

# A role with no record at all (``father`` unknown): whose record is missing.
WHOLE_SUBJECT: dict[str, tuple[str, str]] = {
    "child": ("儿童的情况", "the child's record"),
    "father": ("父亲的情况", "the father's record"),
    "mother": ("母亲的情况", "the mother's record"),
    "caregiver": ("照料人的情况", "the caregiver's record"),
    "household": ("家庭的情况", "the household's record"),
    "members": ("家庭成员的情况", "the household members' records"),
}

# What the fact is, after the subject: ``status`` → 状况 / status. The Chinese is the noun of a gap sentence
# (父亲是否患重病未知); a known value reads through ITEMS_ZH below when it has a sentence of its own.
ATTRIBUTES: dict[str, tuple[str, str]] = {
    "age": ("年龄", "age"),
    "birth_date": ("出生日期", "birth date"),
    "sex": ("性别", "sex"),
    "relation": ("与儿童的关系", "relation to the child"),
    "status": ("状况", "status"),
    "status_since": ("当前状况的起始日期", "status start date"),
    "status_until": ("当前状况的终止日期", "status end date"),
    "disability": ("残疾情况", "disability"),
    "disability.type": ("残疾类别", "disability type"),
    "disability.grade": ("残疾等级", "disability grade"),
    "disability.components": ("多重残疾包含的类别", "kinds of a multiple disability"),
    "serious_illness": ("是否患重病", "serious illness"),
    "medical_spending_12m": ("近12个月医疗支出", "12-month medical spending (yuan)"),
    "civil_capacity": ("民事行为能力", "civil capacity"),
    "employment": ("就业情况", "employment"),
    "lives_with_children": ("是否与儿童同住", "living with the children"),
    "substance_abuse": ("是否吸毒或酗酒", "substance abuse"),
    "domestic_violence": ("是否有家庭暴力行为", "domestic violence"),
    "contact": ("与儿童联系的频率", "contact with the child"),
    "last_seen_in_person": ("上次与儿童见面日期", "last in-person meeting with the child"),
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
    "economy.dibao": ("低保、特困情况", "低保/特困 status"),
    "economy.income_per_capita": ("人均月收入", "monthly income per person (yuan)"),
    "economy.medical_spending_12m": ("近12个月医疗支出", "12-month medical spending (yuan)"),
    "economy.education_spending_12m": ("近12个月教育支出", "12-month education spending (yuan)"),
    "economy.child_support_unpaid_months": ("抚养费拖欠月数", "months of unpaid child support"),
    "economy.income_drop_pct_3m": ("近3个月收入降幅", "income drop over 3 months (%)"),
    "economy.assets_over_limit": ("资产是否超过限额", "assets over the limit"),
    "housing": ("住房情况", "housing"),
    "parents_relationship": ("父母婚姻状况", "parents' relationship"),
    "members": ("成员情况", "members"),
    "father": ("父亲是否登记", "father (who he is)"),
    "mother": ("母亲是否登记", "mother (who she is)"),
    "caregiver": ("照料人是否登记", "caregiver (who it is)"),
}

# A known fact as a Chinese caseworker writes it: attribute → template over {s} (the subject) and {v} (the
# value's words); a yes/no attribute has a sentence for each answer. Attributes missing here read
# "{s}{attribute}：{v}".
ITEMS_ZH: dict[str, str | tuple[str, str]] = {
    "age": "{s}{v}周岁",
    "status": "{s}{v}",
    "status_since": "{s}自{v}起",
    "status_until": "{s}至{v}止",
    "civil_capacity": "{s}{v}",
    "employment": "{s}{v}",
    "contact": "{s}{v}",
    "last_seen_in_person": "{s}上次与儿童见面是在{v}",
    "hukou.county": "{s}户籍在{v}",
    "hukou.province": "{s}户籍在{v}",
    "hukou.type": "{s}为{v}户籍",
    "residence.county": "{s}现居住在{v}",
    "residence.since": "{s}自{v}起在现居住地居住",
    "medical_spending_12m": "{s}近12个月医疗支出{v}",
    "economy.medical_spending_12m": "{s}近12个月医疗支出{v}",
    "economy.education_spending_12m": "{s}近12个月教育支出{v}",
    "economy.income_per_capita": "{s}人均月收入{v}",
    "economy.child_support_unpaid_months": "抚养费已拖欠{v}",
    "economy.income_drop_pct_3m": "{s}近3个月收入下降{v}",
    "economy.dibao": "{s}{v}",
    "parents_relationship": "父母{v}",
    "psych": "{s}{v}",
    "school": "{s}{v}",
    "housing": "{s}{v}",
    "disability": ("{s}有残疾", "{s}无残疾"),
    "disability.grade": "{s}{v}残疾",  # a certificate itself reads "{s}{v}": 母亲三级智力残疾
    "lives_with_children": ("{s}与儿童同住", "{s}未与儿童同住"),
    "serious_illness": ("{s}患重病", "{s}未患重病"),
    "substance_abuse": ("{s}吸毒或酗酒", "{s}没有吸毒、酗酒"),
    "domestic_violence": ("{s}有家庭暴力行为", "{s}没有家庭暴力行为"),
    "working": ("{s}在工作", "{s}没有工作"),
    "medical_insurance": ("{s}已参加医疗保险", "{s}未参加医疗保险"),
    "adopted": ("{s}已被收养", "{s}未被收养"),
    "birth_parents_untraceable": ("{s}查找不到生父母", "{s}能查找到生父母"),
    "father_untraceable": ("{s}查找不到生父", "{s}能查找到生父"),
    "mother_untraceable": ("{s}查找不到生母", "{s}能查找到生母"),
    "acts_as_carer": ("{s}承担照料家人的责任", "{s}不承担照料家人的责任"),
    "entrusted_care_agreement": ("{s}已签订书面委托照护协议", "{s}未签订书面委托照护协议"),
    "has_residence_permit": ("{s}持有居住证", "{s}未持有居住证"),
    "economy.assets_over_limit": ("{s}资产超过限额", "{s}资产未超过限额"),
    "father": "{s}父亲已登记",
    "mother": "{s}母亲已登记",
    "caregiver": "{s}照料人已登记",
}

# The unit a number of a fact is counted in, in Chinese (English keeps the unit in the attribute's words).
UNITS_ZH: dict[str, str] = {
    "medical_spending_12m": "元",
    "economy.medical_spending_12m": "元",
    "economy.education_spending_12m": "元",
    "economy.income_per_capita": "元",
    "economy.child_support_unpaid_months": "个月",
    "economy.income_drop_pct_3m": "%",
}

# Disability grades as ordinals (一级 … 四级, GB/T 26341-2010): 二级视力残疾.
GRADES_ZH = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}

# Chinese words of enum values, by the field's last name (English shows the value, "_" as a space).
VALUES_ZH: dict[str, dict[str, str]] = {
    "status": {
        "present": "健在",
        "away_for_work": "外出务工",
        "deceased": "已去世",
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
    "civil_capacity": {"full": "有完全民事行为能力", "limited": "为限制民事行为能力人", "none": "为无民事行为能力人"},
    "employment": {
        "employed": "在职",
        "irregular": "工作时间长或不规律",
        "unemployed": "失业",
        "unable": "无劳动能力",
        "retired": "已退休",
    },
    "contact": {
        "weekly": "每周与儿童联系",
        "monthly": "每月与儿童联系",
        "rarely": "很少与儿童联系",
        "none": "不与儿童联系",
    },
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
    "psych": {
        "normal": "心理状况正常",
        "concern": "心理状况需要关注",
        "serious": "有严重心理问题",
        "crisis": "处于心理危机",
    },
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
    "dibao": {
        "none": "未纳入低保或特困供养",
        "low_income": "为低保边缘家庭",
        "dibao": "为低保家庭",
        "tekun": "为特困供养家庭",
    },
    "housing": {
        "adequate": "住房条件良好",
        "poor": "住房条件差",
        "overcrowded": "住房拥挤",
        "dilapidated": "住房为危房",
        "eviction_notice": "收到腾退通知",
        "homeless": "无住所",
    },
    "parents_relationship": {
        "married": "婚姻存续",
        "separated": "分居",
        "divorced": "离婚",
        "widowed": "一方去世",
        "never_married": "未结婚",
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
        "on_roster": "在册状态：在册。纳入条件：{label}（依据：{source}）。",
        "not_on_roster": (
            "在册状态：不在册。不属于任何类别，也没有使儿童纳入花名册的风险因素（纳入条件：{label}；依据：{source}）。"
        ),
        "exited": "在册状态：已退出。退出条件：{label}（依据：{source}）。不再评定类别和风险等级，跟进走访见走访计划。",
        "undetermined": (
            "在册状态：待核实。现有信息不足以确定该儿童是否在册，须走访核实：{facts}（核实走访期限见走访计划）。"
        ),
        "categories": "所属类别：",
        "categories_none": "所属类别：无。",
        "categories_open_none": "所属类别：已确认的无；待核实：{items}。",
        "categories_open": "- 待核实：{items}。",
        "open_category": "{label}（缺：{facts}）",
        "category": "- {label}：{facts}。依据：{source}。",
        "factors": "风险因素：",
        "factors_none": "风险因素：无。",
        "factor": "- {code} {label}（{severity}）：{facts}。依据：{source}。",
        "points": "{label}，{points}分",
        "no_facts": "未记录具体情况",
        "tier": "风险等级：{tier}。理由：{row}（依据：{source}）；风险总分{score}分。",
        "tier_none": "风险等级：不评定（不在花名册上）；风险总分{score}分。",
        "tier_undetermined": "风险等级：待在册状态核实后评定；风险总分{score}分。",
        "frequency": "最低走访频次：{frequency}。",
        "duty": "须立即办理：{label}（依据：{source}）。",
        "duty_may": "，并可能须{label}",
        "override": (
            "等级调整：计算所得的风险等级{computed}于{date}经批准调整为{final}（理由代码：{reason}）；"
            "最低走访频次随之为{frequency}。"
        ),
        "gaps": "缺失信息（按可能的后果排列）：",
        "gaps_none": "没有可能改变风险等级的缺失信息。",
        "gap_short": "- {facts}未知；如查明{condition}，{effect}。",
        "gap_long": "- {facts}均未知；如查明{condition}，{effect}。",
        "gaps_minor": "- 此外，以下类别或风险因素尚待核实，但不会改变风险等级：{items}。",
        "gap_minor_item": "{label}（缺{facts}）",
        "gaps_raise": "- 以下信息未知，查明后如存在相应风险因素，{effect}：{items}。",
        "gap_raise_item": "{facts}（{label}）",
        "cond_category": "符合{label}的认定条件",
        "cond_factor": "存在{code}（{label}）",
        "cond_roster": "符合“{label}”",
        "cond_join": "或",
        "becomes_category": "该儿童将属于{label}，{tier}",
        "becomes_category_enters": "该儿童将属于{label}并纳入花名册，风险等级为{tier}",
        "becomes_exited": "该儿童将退出花名册",
        "tier_becomes": "风险等级将升为{tier}",
        "tier_stays": "风险等级仍为{tier}",
        "tier_enters": "该儿童将纳入花名册，风险等级为{tier}",
        "tier_still_off": "但该儿童仍不在花名册上",
        "status_still_open": "但在册状态仍待核实",
        "value": "{fact}：{value}",
        "sep": "；",
        "list_sep": "、",
        "last_sep": "和",
        "yes": "是",
        "no": "否",
        "none": "无",
        "some_facts": "部分信息",
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
        "gaps_minor": "- Also to be verified, though they cannot change the tier: {items}.",
        "gap_minor_item": "{label} (missing: {facts})",
        "gaps_raise": "- Unknown, and if the factor named held, {effect}: {items}.",
        "gap_raise_item": "{facts} ({label})",
        "cond_join": " or ",
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
        "some_facts": "some facts",
    },
}

# The words of a source that are the pack's, not a document's, in English (sources are written in Chinese:
# they cite Chinese documents).
SOURCE_TERMS_EN: tuple[tuple[str, str], ...] = (
    ("本规则包建议", "this pack's proposal"),
    ("外地做法", "practice elsewhere"),
    ("国外做法", "practice abroad"),
)
