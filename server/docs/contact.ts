/**
 * Who answers for the API, in both documents (OpenAPI `info.contact`, AsyncAPI `info.contact`): the
 * project's maintainers, reached through the repository this server is built from (README.md).
 */
export const API_CONTACT = { name: 'Zhihui 指挥 maintainers (see README.md)' };
