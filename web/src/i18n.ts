/** The app's texts: Simplified Chinese by default, English on the switch. The same choice goes to the
 * API as Accept-Language, so the server's own texts (reasons, problems) follow it. */
import { ref } from 'vue'

export type Lang = 'zh-CN' | 'en'
export const lang = ref<Lang>((localStorage.getItem('lang') as Lang) || 'zh-CN')

export function setLang(value: Lang): void {
  lang.value = value
  localStorage.setItem('lang', value)
  document.documentElement.lang = value
}

const texts: Record<string, [string, string]> = {
  app: ['客户经理工作台', 'RM workbench'],
  signIn: ['登录', 'Sign in'], signOut: ['退出登录', 'Sign out'], username: ['用户名', 'Username'],
  password: ['密码', 'Password'], badLogin: ['用户名或密码错误', 'Wrong username or password'],
  home: ['首页', 'Home'], customers: ['客户', 'Customers'], scorecard: ['考核', 'Scorecard'],
  team: ['团队', 'Team'], rankings: ['排名', 'Rankings'], me: ['我的', 'Me'],
  agenda: ['今日待办', "Today's agenda"], upcoming: ['未来 7 天', 'Next 7 days'], overdue: ['已逾期', 'Overdue'], alerts: ['提醒', 'Alerts'],
  unavailable: ['暂不可用', 'Temporarily unavailable'], nothing: ['暂无', 'Nothing here'],
  found: ['共 {n} 户', '{n} customers'],
  total: ['总分', 'Total'], grade: ['等级', 'Grade'], rank: ['排名', 'Rank'], kpis: ['指标数', 'KPIs'],
  start: ['开始处理', 'Start'], complete: ['完成任务', 'Complete'], outcome: ['处理结果', 'Outcome'],
  logVisit: ['同时记录一次走访', 'Also log a visit'], status: ['状态', 'Status'], due: ['到期日', 'Due'],
  reason: ['原因', 'Reason'], done: ['已完成', 'Done'], search: ['搜索姓名、CIF、手机号', 'Search name, CIF, phone'],
  noMore: ['没有更多了', 'No more'], profile: ['客户资料', 'Profile'], showFull: ['查看完整信息', 'Show full'],
  auditWarn: ['查看完整证件号和手机号会记入审计日志，确定查看？', 'Viewing the full ID and phone is recorded in the audit trail. Continue?'],
  holdings: ['持有产品', 'Holdings'], deposits: ['存款', 'Deposits'], loans: ['贷款', 'Loans'],
  tier: ['客户等级', 'Tier'], owners: ['归属历史', 'Ownership history'], interactions: ['互动记录', 'Interactions'],
  contacts: ['联系人与关系', 'Contacts and relationships'], logInteraction: ['记录走访/电话', 'Log a visit or call'],
  visit: ['走访', 'Visit'], phone: ['电话', 'Call'], notes: ['内容', 'Notes'], save: ['保存', 'Save'],
  transfer: ['申请移交', 'Request transfer'], to: ['移交给', 'To'], claim: ['认领客户', 'Claim customer'],
  cif: ['客户号', 'CIF'], mobile: ['手机', 'Mobile'], nationalId: ['证件号码', 'ID number'], notFound: ['未找到该客户，或不在您的管辖范围内', 'Not found, or outside your scope'],
  period: ['考核期', 'Period'], weight: ['权重', 'Weight'], target: ['目标', 'Target'], score: ['得分', 'Score'],
  value: ['完成值', 'Value'], teamAgenda: ['团队待办', 'Team agenda'], unassigned: ['待分配', 'Unassigned'],
  transferRequests: ['移交申请', 'Transfer requests'], approve: ['批准', 'Approve'], reject: ['驳回', 'Reject'],
  adhoc: ['指派临时任务', 'Assign an ad-hoc task'], worklog: ['今日工作日志', "Today's work log"],
  spotCheck: ['抽查', 'Spot-check'], checked: ['已抽查', 'Checked'], assignee: ['执行人', 'Assignee'], title: ['标题', 'Title'],
  offline: ['当前离线：显示的是上次同步的数据，记录将在联网后自动提交', 'Offline: showing the last synced data; entries are sent when back online'],
  queued: ['已离线保存，联网后自动提交', 'Saved offline; sent when back online'], saved: ['已保存', 'Saved'],
  serverError: ['服务暂时出现问题，请稍后重试', 'The service has a problem; please try again shortly'],
  networkError: ['网络不可用，请检查网络后重试', 'No network; please retry'], retry: ['重试', 'Retry'],
  language: ['English', '中文'], cancel: ['取消', 'Cancel'], submitted: ['已提交', 'Submitted'], unsent: ['待提交', 'Waiting to send'], pending: ['待审批', 'Pending'],
  drilldown: ['明细', 'Details'], task: ['任务', 'Task'], amount: ['金额', 'Amount'], days: ['天', 'days'],
  myDay: ['我的一天', 'My day'], dayPlan: ['当日工作计划', "The day's plan"], date: ['日期', 'Date'],
  planHint: ['勾选今天要做的任务和预约，用箭头调整顺序', "Tick the day's tasks and appointments; arrows change the order"],
  candidates: ['可安排的任务和预约', 'Tasks and appointments to plan'], dayNote: ['当日备注', 'Note for the day'],
  itemNote: ['备注', 'Note'], savePlan: ['保存计划', 'Save the plan'], up: ['上移', 'Move up'], down: ['下移', 'Move down'],
  appointments: ['客户预约', 'Appointments'], book: ['预约客户', 'Book a customer'], customer: ['客户', 'Customer'],
  change: ['更换', 'Change'], startsAt: ['开始', 'Start'], endsAt: ['结束', 'End'], place: ['地点', 'Place'],
  purpose: ['事由', 'Purpose'], cancelAppointment: ['取消预约', 'Cancel'], todayAppointments: ['今日预约', "Today's appointments"],
  loading: ['加载中…', 'Loading…'], loadFailed: ['加载失败，请下拉刷新重试', 'Could not load; pull down to retry'],
  results: ['营销业绩', 'Marketing results'], registerResult: ['登记营销业绩', 'Register a result'], category: ['产品类别', 'Product'],
  byAmount: ['按金额', 'By amount'], byCount: ['按笔数', 'By count'], count: ['笔数', 'Count'], pieces: ['笔', 'item(s)'], register: ['登记', 'Register'],
  recentResults: ['近 30 天业绩', 'Last 30 days'], confirmed: ['已确认', 'Confirmed'], unconfirmed: ['待确认', 'Unconfirmed'],
  confirm: ['确认', 'Confirm'], toConfirm: ['待核实的营销业绩', 'Results to confirm'], staleResults: ['超期未确认', 'Unconfirmed past the limit'],
  summary: ['工作小结', 'Summaries'], daily: ['日小结', 'Daily'], weekly: ['周小结', 'Weekly'], draft: ['草稿', 'Draft'],
  summaryNotes: ['小结内容', 'Your notes'], submit: ['提交', 'Submit'], resubmit: ['重新提交', 'Submit again'],
  submittedAt: ['提交时间', 'Submitted at'], tasks_completed: ['完成任务', 'Tasks completed'],
  marketing_results: ['营销业绩', 'Marketing results'], premium_accounts_opened: ['优质客户开户', 'Premium accounts opened'],
  premium_accounts_closed: ['优质客户销户', 'Premium accounts closed'],
  teamSummaries: ['团队小结', 'Team summaries'], today: ['今天', 'Today'], yesterday: ['昨天', 'Yesterday'], thisWeek: ['本周', 'This week'],
  notSubmitted: ['未提交', 'Not submitted'], late: ['已逾期', 'Late'], dueBy: ['截止', 'Due by'], confirmResults: ['业绩核实', 'Confirm results'],
  complaints: ['投诉处理', 'Complaints'], resolve: ['办结', 'Resolve'], resolveIt: ['确认办结', 'Resolve it'], responsible: ['责任认定', 'Responsible'],
  responsibleStaff: ['责任人', 'Staff member'], finding: ['调查结论', 'Finding'], feedback: ['客户反馈', 'Feedback to the customer'],
  creditReview: ['授信审查', 'Credit review'], toReview: ['待审查的授信申请', 'Applications to review'],
  toCosign: ['待双签的授信申请', 'Applications to co-sign'], level: ['审批层级', 'Level'], decline: ['否决', 'Decline'],
  reasonNeeded: ['否决须填写原因', 'A decline needs a reason'], cosign: ['双签提交', 'Co-sign'],
  approved: ['已批准', 'Approved'], declined: ['已否决', 'Declined'],
  approvals: ['待审批事项', 'Approvals'], secondStaff: ['同行', 'with'], carriesCash: ['携带现金', 'carries cash'],
  myRoles: ['岗位', 'Roles'],
  currentOwners: ['归属客户经理', 'Owners'], openTasks: ['未完成任务', 'Open tasks'], accounts: ['个账户', 'account(s)'],
  severity: ['严重程度', 'Severity'], resolved: ['已办结', 'Resolved'], escalated: ['已升级', 'Escalated'], shortcuts: ['常用', 'Shortcuts'],
}

// Codes the API sends as data (tier, loan class, task status, channel): shown as words, the code itself
// when it is one this list does not know yet.
const codes: Record<string, [string, string]> = {
  private: ['私人银行', 'Private banking'], platinum: ['白金', 'Platinum'], gold: ['金卡', 'Gold'],
  one_to_one: ['一对一', 'One-to-one'], standard: ['普通', 'Standard'],
  normal: ['正常', 'Normal'], special_mention: ['关注', 'Special mention'], substandard: ['次级', 'Substandard'],
  doubtful: ['可疑', 'Doubtful'], loss: ['损失', 'Loss'],
  open: ['待处理', 'Open'], in_progress: ['处理中', 'In progress'], done: ['已完成', 'Done'], cancelled: ['已取消', 'Cancelled'],
  email: ['邮件', 'Email'], surprise_visit: ['突击走访', 'Surprise visit'], registered: ['登记', 'Registered'],
  booked: ['已预约', 'Booked'], kept: ['已赴约', 'Kept'], missed: ['未赴约', 'Missed'], confirmed: ['已确认', 'Confirmed'],
  deposit: ['存款', 'Deposits'], wealth: ['理财', 'Wealth'], fee: ['中间业务', 'Fee income'], loan: ['贷款', 'Loans'],
  card: ['信用卡', 'Cards'], insurance: ['保险', 'Insurance'], fund: ['基金', 'Funds'],
  escalated: ['已升级', 'Escalated'], resolved: ['已办结', 'Resolved'], rm: ['客户经理', 'RM'], staff: ['其他员工', 'Other staff'],
  bank: ['银行', 'The bank'], customer: ['客户', 'Customer'], none: ['无责', 'No one'],
  low: ['一般', 'Low'], medium: ['较重', 'Medium'], high: ['严重', 'High'],
  service: ['服务', 'Service'], fees: ['收费', 'Fees'], product: ['产品', 'Product'], conduct: ['行为', 'Conduct'], other: ['其他', 'Other'],
  team_lead: ['团队主管', 'Team lead'], branch_head: ['行长', 'Branch head'], deputy_head: ['分管行长', 'Deputy head'],
  risk_manager: ['风险经理', 'Risk manager'], auditor: ['稽核', 'Auditor'], admin: ['系统管理员', 'Administrator'],
  credit_reviewer: ['授信审查员', 'Credit reviewer'], outside_service: ['上门服务申请', 'Service outside the bank'],
  hosting: ['招待报备', 'Hosting'], refusal: ['拒收登记', 'Refusal'], commitment: ['承诺书', 'Commitment letter'],
  counter: ['柜台', 'Counter'], letter: ['信函', 'Letter'], online: ['线上', 'Online'], regulator: ['监管转办', 'Regulator'],
}

export function word(code: string | null | undefined): string {
  if (!code) return '-'
  const pair = codes[code] ?? texts[code]
  return pair ? pair[lang.value === 'en' ? 1 : 0] : code
}

export function t(key: string): string {
  const pair = texts[key]
  return pair ? pair[lang.value === 'en' ? 1 : 0] : key
}
