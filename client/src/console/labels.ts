// The console's own label texts (中文 first, English second), drawn through Bi or oneLine so that the
// language switch can put either first. Labels shared with other pages live in common/i18n.ts.
import { bi, type Bi } from '../common/i18n.ts';
import type { PlaceKind } from '#shared/geocode/contract.ts';

export const common = {
  loading: bi('加载中…', 'loading'),
  close: bi('关闭', 'Close'),
  cancel: bi('取消', 'Cancel'),
  confirm: bi('确认', 'Confirm'),
  open: bi('查看', 'Open'),
  refresh: bi('刷新', 'Refresh'),
};

export const header = {
  openCases: bi('在办案件', 'Open cases'),
  overdue: bi('超期', 'Overdue'),
};

export const statusBar = {
  squadBoard: bi('队伍看板', 'Squad board'),
  squads: bi('队伍', 'Squads'),
  caseQueue: bi('案件队列', 'Case queue'),
  queue: bi('队列', 'Queue'),
  soundOn: bi('声音提醒：开', 'Sound alerts on'),
  soundOff: bi('声音提醒：关', 'Sound alerts off'),
  sound: bi('声音', 'Sound'),
  language: bi('语言：中英 / 英文优先 / 仅中文', 'Language: bilingual / English first / Chinese only'),
  wallMode: bi('大屏模式 (W)', 'Wall-screen mode (W)'),
  wall: bi('大屏', 'Wall'),
  basemap: bi('底图 ✓', 'basemap ✓'),
};

export const board = {
  title: bi('队伍看板', 'Squads'),
  free: bi('空闲', 'free'),
  available: bi('空闲', 'available'),
  busy: bi('出勤', 'busy'),
  off: bi('离岗', 'off'),
  officers: bi('队员', 'officers'),
  auxiliaries: bi('协管', 'auxiliaries'),
  onCase: bi('出勤', 'on a case'),
  offDuty: bi('离岗', 'off duty'),
  certified: bi('持证', 'certified'),
  auxiliary: bi('协管员', 'auxiliary'),
  oldFix: bi('定位已旧', 'old position fix'),
  noFix: bi('无定位', 'no fix'),
  fix: bi('定位', 'fix'),
};

/** the alert strip above the map (each alert brings its own title) */
export const toast = {
  dismiss: bi('关闭', 'Dismiss'),
  none: bi('暂无新告警', 'No new alerts'),
  more: bi('条未显示', 'more'),
};

export const caseText = {
  details: bi('案件详情', 'Case details'),
  priority: bi('优先级', 'priority'),
  enforcement: bi('执法类', 'enforcement'),
  escalated: bi('督办', 'escalated'),
  rework: bi('返工', 'rework'),
  extended: bi('延期', 'extended'),
  reason: bi('原因', 'reason'),
  where: bi('位置', 'Where'),
  showOnMap: bi('定位', 'Show on map'),
  grid: bi('网格', 'grid'),
  keyArea: bi('重点地区', 'Key area'),
  source: bi('来源', 'Source'),
  timeLimit: bi('时限', 'Time limit'),
  deadline: bi('期限', 'deadline'),
  reported: bi('上报', 'Reported'),
  outcome: bi('处置方式', 'Outcome'),
  officers: bi('队员', 'Officers'),
  auxiliary: bi('协管', 'auxiliary'),
  photo: bi('照片', 'Photo'),
  cancelReassign: bi('取消改派', 'Cancel reassign'),
  reassign: bi('改派', 'Reassign to another officer'),
  readOnly: bi('只读', 'read only'),
};

export const stepText = {
  reasonFor: (step: Bi): Bi => bi(`${step.zh}原因`, `Reason for ${step.en}`),
  extendBy: bi('延期', 'Extend by'),
};

export const recordText = {
  title: bi('处置记录', 'Record'),
  system: bi('系统', 'system'),
  mergedInto: bi('并入', 'merged into'),
  byHand: bi('人工督办', 'by hand'),
  priority: bi('优先级', 'priority'),
  photos: bi('张照片', 'photos'),
  reason: bi('原因', 'reason'),
  deadline: bi('期限', 'deadline'),
  duplicates: bi('疑似重复', 'possible duplicates'),
};

export const recoText = {
  reassignTo: bi('改派给', 'Reassign to'),
  recommended: bi('推荐队员', 'Recommended officers'),
  reassignReason: bi('改派原因', 'Reason'),
  reassignExample: bi('如：原队员车辆故障', "e.g. the first officer's vehicle broke down"),
  certifiedRule: bi('⚖ 执法类案件：须含持证队员', '⚖ enforcement case: send at least one certified officer'),
  noneNearby: bi('附近暂无空闲队员', 'No available officer with a fresh position'),
  choose: bi('选择', 'Choose'),
  certified: bi('持证', 'certified'),
  auxiliary: bi('协管', 'auxiliary'),
  responsible: bi('属地', 'responsible'),
  fix: bi('定位', 'fix'),
  enterSends: bi('回车键派遣', 'Enter'),
  reassign: bi('改派', 'Send'),
  dispatch: bi('派遣', 'Send'),
  reassigned: bi('已改派', 'Reassigned'),
  dispatched: bi('已派遣', 'Dispatched'),
  /** travel time to the case and how it was computed: routed on the road network, or straight line × detour factor */
  eta: (seconds: number, method: 'network' | 'estimate'): Bi => {
    const min = Math.max(1, Math.round(seconds / 60));
    return method === 'network'
      ? bi(`约 ${min} 分钟 · 路网`, `about ${min} min · road network`)
      : bi(`约 ${min} 分钟 · 直线估算`, `about ${min} min · straight-line estimate`);
  },
  etaHow: (method: 'network' | 'estimate'): Bi =>
    method === 'network'
      ? bi('按路网行程时间计算（含单行道；到路网两端按步行/低速计）', 'routed on the road network (one-ways kept; the legs off it at access speed)')
      : bi(
          '直线距离 × 1.4 绕行系数 ÷ 平均速度：估算（无路网或超出路网范围）',
          'straight line × 1.4 detour ÷ average speed: an estimate (no road network here, or beyond it)',
        ),
  travelMode: { drive: bi('驾车', 'by car'), ride: bi('电动巡逻车', 'by patrol bike'), walk: bi('步行', 'on foot') } as Record<'drive' | 'ride' | 'walk', Bi>,
  /** the send-all button: how many are ticked */
  sendAll: (reassigning: boolean, n: number): Bi =>
    bi(`${reassigning ? '改派' : '派遣'}${n > 0 ? ` ${n} 人` : ''}`, `${reassigning ? 'Reassign' : 'Dispatch'} ${n > 0 ? n : 'selected'}`),
};

export const dupText = {
  /** the heading with the count between the two languages' words */
  title: (n: number): Bi => bi(`疑似重复 ${n}`, `${n} possible duplicate${n === 1 ? '' : 's'} (same category, 50 m, 24 h)`),
  mergeInto: bi('并入此案', 'Merge into'),
  merged: bi('已合并', 'Merged'),
};

export const newCaseText = {
  title: bi('新建案件', 'New case'),
  created: bi('已建案', 'Case created'),
  createdDuplicate: bi('已建案 · 疑似重复', 'Created · possible duplicate'),
  category: bi('类别', 'Category'),
  choose: bi('请选择…', 'Choose…'),
  source: bi('来源', 'Source'),
  description: bi('描述', 'Description'),
  location: bi('位置', 'Location'),
  clickToPlace: bi('点击地图放置', 'click the map to place'),
  pickOnMap: bi('在地图上点选', 'pick on map'),
  lon: bi('经度', 'lon'),
  lat: bi('纬度', 'lat'),
  crs: bi('坐标系', 'CRS'),
  address: bi('地址（可选）', 'Address (optional)'),
  grid: bi('网格', 'grid'),
  outside: bi('⚠ 不在辖区内，无法建案', '⚠ outside every district served'),
  duplicates: (n: number): Bi => bi(`⚠ 疑似重复 ${n} 件`, `⚠ ${n} possible duplicate${n === 1 ? '' : 's'}: same category within 50 m and 24 h`),
  openThis: bi('查看此案', 'Open this case'),
  reporter: bi('举报人', 'Reporter'),
  contact: bi('联系方式', 'Contact'),
  registerNow: bi('直接立案', 'register on intake (立案)'),
  submitting: bi('提交中…', 'Submitting'),
  createAnyway: bi('仍然新建', 'Create anyway'),
  submit: bi('提交', 'Submit'),
};

export const placeSearchText = {
  label: bi('查找地点', 'Find the place'),
  placeholder: bi('路名、路口（如 红星路与东大街）、网格编码、重点区域', 'road, intersection (A与B), grid code, key area'),
  searching: bi('查找中…', 'Searching…'),
  none: (q: string): Bi => bi(`未找到“${q}”，可在地图上点选或输入经纬度`, `nothing found for “${q}”: click the map or type lon/lat`),
  orPick: bi('或在地图上点选、输入经纬度', 'or click the map, or type lon/lat'),
};

/** what a search hit is, in a word */
export const placeKindText: Record<PlaceKind, Bi> = {
  intersection: bi('路口', 'junction'),
  road: bi('道路', 'road'),
  address: bi('门牌', 'address'),
  place: bi('地名', 'place'),
  key_area: bi('重点区域', 'key area'),
  grid: bi('网格', 'grid'),
  community: bi('社区', 'community'),
  street: bi('街道', 'sub-district'),
  district: bi('区', 'district'),
};

export const liveText = {
  lost: bi('网络中断，正在重连…', 'Connection lost, reconnecting…'),
  catching: bi('已重连，正在补齐事件…', 'Reconnected, catching up…'),
  /** around the count of events caught up (drawn in its own element: tests read it) */
  caughtUp: { before: bi('已恢复实时 · 补齐', 'Live again · caught up'), after: bi('条事件', 'events') },
  /** away too long to replay what it missed (shared/cases/catch-up.ts): the state was loaded afresh */
  reloaded: bi('已恢复实时 · 离线较久，已重新加载', 'Live again · away long, reloaded'),
};

export const sessionText = {
  admin: bi('系统管理', 'Administration'),
  changePassword: bi('修改密码', 'Change password'),
  logout: bi('退出', 'Log out'),
};

export const loginText = {
  title: bi('登录', 'Log in'),
  why: bi('登录后查看地图图层、案件、实时派遣', 'Log in to see the map layers, cases and live dispatch'),
  mapOnly: bi('仅看地图', 'Map only'),
  collapse: bi('收起', 'Collapse'),
  whoBefore: bi('调度员、监督员、领导使用本大屏；执法队员请用手机打开', 'Dispatchers, supervisors and leaders use this wall; officers open'),
  whoAfter: bi('', 'on their phone'),
};
