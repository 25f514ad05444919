// Texts of the login and password forms (中文 first, English second), shared by every page; the
// console draws them in its language mode, the other pages 中+EN.
import { bi } from './i18n.ts';

export const loginFormText = {
  login: bi('用户名', 'Login'),
  password: bi('密码', 'Password'),
  submit: bi('登录', 'Log in'),
  submitting: bi('登录中…', 'Logging in'),
  wrong: bi('用户名或密码错误', 'Wrong login or password'),
  tooMany: bi('尝试过于频繁，请稍后再试', 'Too many attempts, wait a minute'),
};

export const passwordFormText = {
  title: bi('修改密码', 'Change password'),
  done: bi('密码已修改，其他设备上的登录已结束', 'Password changed; your other sessions have ended'),
  current: bi('当前密码', 'Current password'),
  next: bi('新密码', 'New password'),
  again: bi('再次输入新密码', 'New password again'),
  hint: bi('不要太短、常见，也不要包含用户名', 'Not short, not common, not containing your login'),
  cancel: bi('取消', 'Cancel'),
  submit: bi('确认修改', 'Change'),
  submitting: bi('提交中…', 'Saving'),
  mismatch: bi('两次输入的新密码不一致', 'The new passwords do not match'),
  same: bi('新密码不能与当前密码相同', 'The new password must differ from the current one'),
  refused: bi('新密码不可用', 'Password refused'),
  wrongCurrent: bi('当前密码不正确', 'The current password is wrong'),
  tooMany: loginFormText.tooMany,
};
