/** Every demo user's password in the test database. */
export const TEST_PASSWORD = 'zhihui-test-password';
