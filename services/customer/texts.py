"""Every text a person reads from the customer service, Simplified Chinese first and English (sent with
`Accept-Language: en`): problem messages by code, and the reasons a bad field is refused. Registered
with the shared problem renderer when the app is wired (main.py)."""
from services.customer.service.validation import CIF_PATTERN, CODE_PATTERN, USERNAME_PATTERN
from shared.errors import FIELD_REASONS, register_messages
from shared.reasons import register_formats, register_reasons
from shared.tiers import GRADE_WORDS, TIER_WORDS

MESSAGES: dict[str, tuple[str, str]] = {
    # customers and the prospect pipeline
    "duplicate_cif": ("客户号 {cif} 已存在", "Customer number {cif} already exists"),
    "rm_assigns_self": ("客户经理只能为自己登记客户", "A customer manager can only register customers for themselves"),
    "if_match_required": ("修改须带 If-Match 头（取自 ETag）", "Send If-Match with the ETag you read"),
    "stale_write": ("客户资料已被他人修改，请刷新后重试",
                    "The customer was changed since you read it; reload and retry"),
    "stage_closed": ("营销储备已结束（{stage}）", "The prospect is closed ({stage})"),
    "stage_backwards": ("不能从“{current}”退回到“{stage}”", "Cannot go back from {current} to {stage}"),
    "lost_reason_required": ("流失须填写原因", "A lost prospect needs a reason"),
    "not_a_prospect": ("该客户不在营销储备中", "This customer is not a prospect"),
    # ownership
    "unknown_owner": ("客户经理 {owner} 不存在或已停用", "No active customer manager named {owner}"),
    "owner_not_rm": ("{owner} 不是客户经理，不能管户", "{owner} is not a customer manager and cannot own customers"),
    "owner_out_of_scope": ("不能把客户分配给您管辖范围外的客户经理 {owner}",
                           "You cannot assign customers to {owner}, who is outside your scope"),
    "grade_cap": ("{owner} 的等级（{grade}）不能管理{tier}层级客户 {cif}",
                  "{owner}'s grade ({grade}) may not own {cif}, a {tier} customer"),
    "same_owner": ("客户已由 {owner} 管户", "The customer is already owned by {owner}"),
    "backup_is_primary": ("B岗不能与A岗为同一人", "The B岗 manager cannot be the A岗 manager"),
    # transfers, requests and claims
    "transfer_needs_lead": ("客户移交须由团队主管或以上审批；客户经理请提交移交申请",
                            "A transfer needs a team lead or above; an RM files a transfer request"),
    "own_request": ("不能审批自己提出的申请", "You cannot decide your own request"),
    "already_decided": ("该申请已处理（{outcome}）", "This request was already decided ({outcome})"),
    "claim_refused": ("该客户已有管户客户经理，不能认领；此次认领已记录并告知团队主管",
                      "This customer already has a manager and cannot be claimed; "
                      "the attempt is recorded for your lead"),
    "claim_needs_rm": ("只有客户经理可以认领客户", "Only a customer manager claims customers"),
    # departure handover
    "handover_needs_lead": ("离岗移交须由团队主管或以上办理", "A departure handover needs a team lead or above"),
    "successor_is_leaver": ("接手人不能是离岗人本人", "A successor cannot be the leaving manager"),
    # interactions and spot checks
    "spot_check_needs_lead": ("抽查须由团队主管、支行行长或分管信贷副行长进行",
                              "Spot checks are for team leads, branch heads and credit deputy heads"),
    "already_checked": ("该记录已被抽查", "This log entry was already spot-checked"),
    "interaction_in_future": ("联系日期 {occurred_on} 晚于今天，不能登记", "{occurred_on} is in the future"),
    "approval_needs_lead": ("补录的联系记录须由团队主管或支行行长审批",
                            "A late entry is approved by a team lead or a branch head"),
    "not_pending_approval": ("该记录无需审批或已审批", "This entry is not waiting for approval"),
    "own_entry": ("不能审批自己登记的记录", "You cannot approve your own entry"),
    # org units and staff
    "admin_only": ("仅系统管理员可以管理机构和人员", "Only an admin manages org units and staff"),
    "unknown_unit": ("机构 {unit} 不存在", "No org unit {unit}"),
    "unknown_team": ("团队 {team} 不存在", "No team {team}"),
    "duplicate_code": ("{value} 已存在", "{value} already exists"),
    # the industry policy
    "policy_exists": ("行业 {industry} 自 {day} 起的政策已存在", "{industry} already has a policy from {day}"),
    "policy_ends_before_start": ("结束日期早于开始日期", "The policy ends before it starts"),
    # unmasked reads
    "unmask_forbidden": ("您的角色无权查看完整的证件号码和电话",
                         "Your role may not see full ID numbers and phone numbers"),
    # the audit trail
    "auditors_only": ("审计记录仅供稽核人员和系统管理员查阅", "The audit trail is for auditors and admins"),
    # marketing results
    "results_by_rm": ("只有客户经理可以登记营销业绩", "Only a relationship manager registers marketing results"),
    "results_checked_by_lead": ("只有主管可以核实营销业绩", "Only a lead checks marketing results"),
    "amount_or_count": ("请填写金额或数量（二选一）", "Give either an amount or a count"),
    "confirmed_by_core_banking": ("{category}类业绩由核心系统事件确认，无需主管核实",
                                  "Core banking confirms {category} results; no lead check is needed"),
    "already_confirmed": ("该业绩已确认", "The result is already confirmed"),
}

CONTROL_MESSAGES: dict[str, tuple[str, str]] = {   # the controls: credit files, complaints, audits, conduct
    # credit applications
    "credit_needs_server": ("信贷档案须由客户经理、团队主管或支行行长办理",
                            "A loan file is handled by a customer manager, team lead or branch head"),
    "credit_needs_owner": ("客户尚无管户客户经理，不能受理信贷申请",
                           "The customer has no manager yet, so no loan file can be opened"),
    "investigators_distinct": ("调查人不能重复", "Investigators must be different people"),
    "investigators_needed": ("金额达到 {amount} 元的信贷业务须由 {n} 人以上调查",
                             "A loan of {amount} CNY or more needs at least {n} investigators"),
    "unknown_staff": ("员工不存在或已停用：{who}", "No active staff member: {who}"),
    "commitment_by_rm": ("尽职调查承诺书只能由管户客户经理本人签署",
                         "Only the customer's manager signs the due-diligence commitment"),
    "credit_not_ready": ("档案未齐全或已提交（{state}），不能提交审查",
                         "The file is not ready for review ({state})"),
    "cosign_roles": ("提交审查须由管户客户经理和风险经理双签",
                     "Submission is co-signed by the customer's manager and a risk manager"),
    "review_roles": ("审批结果须由信贷审查人员登记",
                     "Approval decisions are recorded by the credit department's reviewers"),
    "review_separation": ("审贷分离：营销、调查或双签该笔业务的人员不能登记其审批结果",
                          "Review is separate from marketing: whoever marketed, investigated or co-signed "
                          "this file cannot record its review"),
    "credit_not_in_review": ("该档案不在审批中（{state}）", "The file is not under review ({state})"),
    "review_level_order": ("应登记第 {expected} 级审批", "Record approval level {expected} next"),
    # complaints
    "complaint_needs_server": ("投诉须由客户经理、团队主管或支行行长登记",
                               "Complaints are filed by a customer manager, team lead or branch head"),
    "complaint_resolver": ("投诉须由受理的团队主管或支行行长处理",
                           "A complaint is resolved by the team lead it is pooled with or the branch head"),
    "complaint_about_self": ("不能处理针对自己的投诉", "You cannot handle a complaint about yourself"),
    "complaint_resolved": ("该投诉已处理完毕", "This complaint is already resolved"),
    # audit work
    "audits_for_auditors": ("离岗审计和常规稽核由稽核人员进行", "Departure and routine audits are run by auditors"),
    "period_backwards": ("审计期间的开始日期不能晚于结束日期", "The audit period cannot start after it ends"),
    "audit_signed_off": ("该审计已签发，不能再修改", "This audit is signed off and can no longer change"),
    # conduct
    "qualification_recorders": ("资质记录由系统管理员或支行行长登记",
                                "Qualification records are entered by an admin or the branch head"),
    "qualification_expiry": ("有效期须晚于通过日期", "The expiry must come after the day the exam was passed"),
    "owner_unqualified": ("{owner} 在 {day} 没有有效的客户经理岗位资质认证，不能担任A岗或B岗",
                          "{owner} holds no valid customer-manager qualification on {day} and cannot be made "
                          "A岗 or B岗"),
    "conduct_by_staff": ("行为记录由客户经理、团队主管或支行行长本人登记",
                         "Conduct records are kept by customer managers, team leads and branch heads themselves"),
    "conduct_decider": ("须由分管行长审批（超预算招待、未设分管行长的机构由支行行长审批）",
                        "The deputy head in charge decides (the branch head for over-budget hosting, or where "
                        "there is no such deputy)"),
    "second_staff": ("上门服务须另有一名在岗员工同行", "Service outside the bank needs a second active member of staff"),
    "commitment_signed": ("{year} 年度承诺书已签署，不能重签或修改",
                          "The commitment letter for {year} is signed and cannot be signed again or changed"),
    # call-backs
    "callback_roles": ("回访由团队主管或支行行长进行", "Call-backs are made by team leads and branch heads"),
    "callback_by_other": ("回访须由客户经理以外的人进行，不能回访自己管户的客户",
                          "A call-back is made by someone other than the customer's own managers"),
}

FIELD_TEXTS: dict[str, tuple[str, str]] = {   # pydantic error type (validation.py) -> (zh, en)
    "national_id_invalid": ("身份证号码格式或校验位不正确", "not a valid resident ID number (format or check digit)"),
    "credit_code_invalid": ("统一社会信用代码格式或校验位不正确",
                            "not a valid unified social credit code (format or check digit)"),
    "phone_invalid": ("应为11位中国大陆手机号码", "must be an 11-digit mainland China mobile number"),
}


# Codes a message may carry as a parameter, by parameter name, in words: a person reads "金卡", never "gold".
LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "tier": TIER_WORDS,
    "grade": {**GRADE_WORDS, "-": ("未定级", "ungraded")},
    "stage": {"lead": ("线索", "lead"), "researched": ("已调研", "researched"), "contacted": ("已接触", "contacted"),
              "needs_found": ("已发掘需求", "needs found"), "proposal": ("方案", "proposal"),
              "negotiation": ("谈判", "negotiation"), "won": ("已成交", "won"), "lost": ("已流失", "lost")},
    "outcome": {"pending": ("待审批", "pending"), "approved": ("已批准", "approved"), "rejected": ("已拒绝", "rejected"),
                "recorded": ("已登记", "recorded")},
    "state": {"incomplete": ("资料不全", "incomplete"), "ready": ("待提交", "ready to submit"),
              "submitted": ("审批中", "under review"), "approved": ("已批准", "approved"),
              "declined": ("已否决", "declined")},
    "category": {"deposit": ("存款", "deposit"), "wealth": ("理财", "wealth management"), "fee": ("中间业务", "fee"),
                 "loan": ("贷款", "loan"), "card": ("银行卡", "card"), "insurance": ("保险", "insurance"),
                 "fund": ("基金", "fund")},
}
LABELS["current"] = LABELS["stage"]   # stage_backwards: from the current stage to the one asked


def label(name: str, value, english: bool):
    """A parameter as a person reads it: its label when it is a known code, else unchanged."""
    words = LABELS.get(name, {}).get(value) if isinstance(value, str) else None
    return value if words is None else words[english]


class Worded(str):
    """A message template that words the codes among its parameters (LABELS) as it is formatted; the
    shared problem renderer formats templates without knowing about codes."""
    english: bool = False

    def format(self, *args, **params) -> str:
        return str.format(self, *args, **{k: label(k, v, self.english) for k, v in params.items()})


class WordedEnglish(Worded):
    english = True


def worded(messages: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    return {code: (Worded(zh), WordedEnglish(en)) for code, (zh, en) in messages.items()}


FORMATS: dict[str, tuple[str, str]] = {   # a field's pattern, as the refusal names it
    CIF_PATTERN: ("4–32 位大写字母或数字（核心系统客户号）", "4–32 capital letters or digits (the core-banking CIF)"),
    CODE_PATTERN: ("2–32 位大写字母或数字，例如 SB01", "2–32 capital letters or digits, e.g. SB01"),
    USERNAME_PATTERN: ("2–64 位小写字母、数字、下划线或点，例如 rm01", "2–64 lower-case letters, digits, _ or ., e.g. rm01"),
}
VALIDATOR_TEXTS: dict[str, tuple[str, str]] = {   # the request models' own checks (ValueError text) -> (zh, en)
    "name the responsible staff member (responsible_staff)": ("请指明责任人（responsible_staff）",
                                                              "name the responsible staff member (responsible_staff)"),
    "a guard (guard) is required where cash is carried": ("携带现金须有押运人员（guard）",
                                                          "a guard (guard) is required where cash is carried"),
    "a decline needs a reason": ("拒绝须填写理由", "a decline needs a reason"),
    "timezone required": ("时间须带时区，例如 +08:00", "time needs a timezone, e.g. +08:00"),
    "out of range": ("时间超出范围", "time out of range"),
}


def register() -> None:
    register_messages(worded(MESSAGES))
    register_messages(worded(CONTROL_MESSAGES))
    FIELD_REASONS.update(FIELD_TEXTS)
    register_formats(FORMATS)
    register_reasons(VALIDATOR_TEXTS)
