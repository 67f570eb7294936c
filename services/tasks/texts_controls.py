"""Titles and reasons of the tasks the bank's controls raise (credit files, complaints), zh-CN and en;
texts.py folds them into its tables."""
TEMPLATES: dict[str, dict[str, tuple[str, str]]] = {
    "credit_submission": {
        "zh": ("限时服务：信贷档案 {cif} 须于 {due_date} 前提交审查",
               "信贷档案已于 {ready_on} 齐全（金额 {amount} 元），须在 {due_date} 前由客户经理与风险经理双签提交审查；"
               "逾期每天升级。"),
        "en": ("Time-limited service: submit loan file {cif} for review by {due_date}",
               "The loan file ({amount} CNY) was complete on {ready_on}; the RM and a risk manager must co-sign its "
               "submission by {due_date}. Escalated daily once late."),
    },
    "complaint_handling": {
        "zh": ("投诉处理（{severity}）：{cif}，时限 {due_date}",
               "客户投诉须在 {due_date} 前分清责任并处理完毕，记录客户反馈；逾期将升级至支行行长。"),
        "en": ("Complaint ({severity}): {cif}, due {due_date}",
               "Establish responsibility and resolve the complaint by {due_date}, with the customer's feedback; "
               "past the limit it goes to the branch head."),
    },
    "complaint_escalated": {
        "zh": ("投诉已超时限：{cif}（原时限 {due_date}）", "该投诉超过处理时限，已升级至您处理。"),
        "en": ("Complaint past its limit: {cif} (was due {due_date})", "This complaint ran past its handling "
               "limit and is escalated to you."),
    },
    "customer_callback": {
        "zh": ("客户回访：{cif}（{due_date} 前）", "本月抽取该客户进行独立回访（客户经理 {rm} 以外的人员），"
               "记录是否联系上、满意度和发现的问题。"),
        "en": ("Customer call-back: {cif} (by {due_date})", "This customer was drawn for this month's independent "
               "call-back (by someone other than their manager {rm}): record whether reached, satisfaction and issues."),
    },
}
CANCELLED = {
    "credit_submitted": ("档案已双签提交审查", "the file was co-signed and submitted for review"),
    "complaint_resolved": ("投诉已处理完毕", "the complaint is resolved"),
    "callback_recorded": ("回访结果已登记", "the call-back result is recorded"),
}
