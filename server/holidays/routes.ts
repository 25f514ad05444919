import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { Value } from 'typebox/value';
import { Problem } from '../http/problem.ts';
import { type HolidayService, MAX_HOLIDAYS, parseHolidayCsv, type YearInput } from './service.ts';

const Err = Type.Ref('ErrorResponse');
// loose on purpose: the service's message says which day is wrong and how (the examples make a valid 2027)
const Day = (example: string) => Type.String({ maxLength: 32, description: 'YYYY-MM-DD (China)', examples: [example] });
const HolidayYearView = Type.Object({
  year: Type.Integer(),
  holidays: Type.Array(Type.String({ format: 'date' }), { description: 'days off, weekend days inside a holiday run included' }),
  workdays: Type.Array(Type.String({ format: 'date' }), { description: 'make-up working days (调休上班): Saturdays or Sundays that are worked' }),
  source: Type.Union([Type.String(), Type.Null()], { description: 'where the days come from (the notice)' }),
  updatedAt: Type.String({ format: 'date-time' }),
  updatedBy: Type.Union([Type.Integer(), Type.Null()], { description: 'the user who saved it; null: the migration' }),
  updatedByLogin: Type.Union([Type.String(), Type.Null()]),
});
const YearBody = Type.Object(
  {
    holidays: Type.Array(Day('2027-01-01'), { maxItems: 400, description: `days off of that year, at most ${MAX_HOLIDAYS}` }),
    workdays: Type.Array(Day('2027-02-20'), { maxItems: 400, description: 'make-up working days of that year: Saturdays or Sundays' }),
    source: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()], { description: 'the notice the days come from' })),
  },
  { additionalProperties: false },
);
const CSV_LIMIT = 64 * 1024;

export const holidayRoutes: FastifyPluginAsyncTypebox<{ holidays: HolidayService }> = async (app, { holidays }) => {
  // the calendar the deadlines count on is read before the first request
  app.addHook('onReady', async () => {
    await holidays.load();
  });
  // a year as `date,kind` lines (this plugin's routes only)
  app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: CSV_LIMIT }, (_req, body, done) => done(null, body));

  app.get(
    '/api/admin/holidays',
    {
      onRequest: app.requires('calendar.manage'),
      schema: {
        tags: ['admin'],
        summary: 'The holiday calendar (节假日安排) by year, with a warning when this year or next is missing (admin)',
        description:
          'Working-day and working-hour time limits count on these days. A year not stored counts Monday–Friday only: `warning` says so for this year and next year (China time) until they are added.',
        security: [{ bearer: [] }],
        response: {
          200: Type.Object({
            today: Type.String({ format: 'date', description: 'today in China' }),
            years: Type.Array(HolidayYearView),
            missingYears: Type.Array(Type.Integer(), { description: 'this year and next year where not stored' }),
            warning: Type.Union([Type.String(), Type.Null()]),
          }),
          401: Err,
          403: Err,
        },
      },
    },
    () => holidays.overview(),
  );

  app.put(
    '/api/admin/holidays/:year',
    {
      onRequest: app.requires('calendar.manage'),
      schema: {
        tags: ['admin'],
        summary: "Store a year's holidays and make-up workdays (admin)",
        description:
          "Replaces the year's days; new deadlines count on them at once (on every instance). JSON {holidays, workdays, source?}, or text/csv with one `date,kind` line a day, kind 休/holiday or 班/workday (`?source=` names the notice). Days must be of that year, workdays Saturdays or Sundays, no day in both lists, at most " +
          `${MAX_HOLIDAYS} holidays. The change is written to the audit log (calendar.year_set).`,
        security: [{ bearer: [] }],
        params: Type.Object({ year: Type.Integer({ minimum: 2000, maximum: 2100, examples: [2027] }) }, { additionalProperties: false }),
        querystring: Type.Object(
          { source: Type.Optional(Type.String({ maxLength: 500, description: 'with text/csv: the notice' })) },
          { additionalProperties: false },
        ),
        body: {
          content: {
            'application/json': { schema: YearBody },
            'text/csv': { schema: Type.String({ description: 'date,kind lines (kind 休/holiday or 班/workday)' }) },
          },
        } as never,
        response: { 200: HolidayYearView, 400: Err, 401: Err, 403: Err, 415: Err },
      },
    },
    (req) => {
      const body: unknown = req.body;
      let input: YearInput;
      if (typeof body === 'string') input = { ...parseHolidayCsv(body), source: req.query.source ?? null };
      else if (Value.Check(YearBody, body)) input = body;
      else throw new Problem(400, 'send JSON {"holidays": [...], "workdays": [...], "source": "..."} or text/csv date,kind lines');
      return holidays.setYear(req.user, req.params.year, input);
    },
  );
};
