"""Every text a person reads from the customer service, Simplified Chinese first and English (sent with
`Accept-Language: en`): problem messages by code, and the reasons a bad field is refused. Registered
with the shared problem renderer when the app is wired (main.py)."""
from shared.errors import FIELD_REASONS, register_messages

MESSAGES: dict[str, tuple[str, str]] = {
    # customers and the prospect pipeline
    "duplicate_cif": ("客户号 {cif} 已存在", "Customer number {cif} already exists"),
    "rm_assigns_self": ("客户经理只能为自己登记客户", "A customer manager can only register customers for themselves"),
    "if_match_required": ("修改须带 If-Match 头（取自 ETag）", "Send If-Match with the ETag you read"),
    "stale_write": ("客户资料已被他人修改，请刷新后重试",
                    "The customer was changed since you read it; reload and retry"),
    "stage_closed": ("营销储备已结束（{stage}）", "The prospect is closed ({stage})"),
    "stage_backwards": ("不能从 {current} 退回到 {stage}", "Cannot go back from {current} to {stage}"),
    "lost_reason_required": ("流失须填写原因", "A lost prospect needs a reason"),
    "not_a_prospect": ("该客户不在营销储备中", "This customer is not a prospect"),
    # ownership
    "unknown_owner": ("客户经理 {owner} 不存在或已停用", "No active customer manager named {owner}"),
    "owner_not_rm": ("{owner} 不是客户经理，不能管户", "{owner} is not a customer manager and cannot own customers"),
    "owner_out_of_scope": ("不能把客户分配给您管辖范围外的客户经理 {owner}",
                           "You cannot assign customers to {owner}, who is outside your scope"),
    "grade_cap": ("{owner} 的等级（{grade}）不能管理 {tier} 层级客户 {cif}",
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
}

FIELD_TEXTS: dict[str, tuple[str, str]] = {   # pydantic error type (validation.py) -> (zh, en)
    "national_id_invalid": ("身份证号码格式或校验位不正确", "not a valid resident ID number (format or check digit)"),
    "credit_code_invalid": ("统一社会信用代码格式或校验位不正确",
                            "not a valid unified social credit code (format or check digit)"),
    "phone_invalid": ("应为11位中国大陆手机号码", "must be an 11-digit mainland China mobile number"),
}


def register() -> None:
    register_messages(MESSAGES)
    FIELD_REASONS.update(FIELD_TEXTS)
