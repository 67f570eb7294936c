"""Texts a person reads from the controls (credit files, complaints), Simplified Chinese and English;
registered with the shared problem renderer beside texts.py when the app is wired (main.py)."""
from shared.errors import register_messages

MESSAGES: dict[str, tuple[str, str]] = {
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
    "review_roles": ("审批结果须由信贷审批人员（支行行长或风险经理）登记",
                     "Approval decisions are recorded by the branch head or a risk manager"),
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
    "conduct_decider": ("须由分管行长（本机构为支行行长）审批", "The head in charge (here the branch head) decides"),
    "second_staff": ("上门服务须另有一名在岗员工同行", "Service outside the bank needs a second active member of staff"),
    "commitment_signed": ("{year} 年度承诺书已签署，不能重签或修改",
                          "The commitment letter for {year} is signed and cannot be signed again or changed"),
    # call-backs
    "callback_roles": ("回访由团队主管或支行行长进行", "Call-backs are made by team leads and branch heads"),
    "callback_by_other": ("回访须由客户经理以外的人进行，不能回访自己管户的客户",
                          "A call-back is made by someone other than the customer's own managers"),
}


def register() -> None:
    register_messages(MESSAGES)
