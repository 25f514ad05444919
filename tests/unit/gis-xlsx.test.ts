// The Excel register reader (xlsx.ts) and openLayer choosing it by content. Workbooks are built here with
// write-excel-file, as a bureau's register looks: Chinese headers, a 15-digit code typed as a number, a real
// date cell, WKT polygons or 经度/纬度 numbers.
import writeXlsxFile, { type SheetData } from 'write-excel-file/node';
import yauzl from 'yauzl';
import { describe, expect, it } from 'vitest';
import type { OpenLayerOptions, SourceFeature } from '../../server/gis/formats/layer.ts';
import { openLayer } from '../../server/gis/formats/open-layer.ts';
import { columnLetter, excelDate, isDateFormat, numberValue, openXlsx, parseXml, XLSX_LIMITS, type XlsxLimits } from '../../server/gis/formats/xlsx.ts';
import { gisError, readOpened, ring, square, uploads, zipBuffer } from '../support/gis-files.ts';

const files = uploads('gis-xlsx-test');
const upload = files.upload;

type Data = SheetData;
const workbook = (data: Data, sheet = 'Sheet1') => writeXlsxFile(data, { sheet }).toBuffer();

async function read(filename: string, content: Buffer, options: Partial<OpenLayerOptions> = {}, limits?: XlsxLimits) {
  const file = await upload(filename, content);
  return readOpened(limits ? await openXlsx(file, { filename, ...options }, limits) : await openLayer(file, { filename, ...options }));
}

const readError = (filename: string, content: Buffer, options: Partial<OpenLayerOptions> = {}, limits?: XlsxLimits) =>
  gisError(() => read(filename, content, options, limits));

const date = (y: number, m: number, d: number, h = 0, min = 0) => ({ value: new Date(Date.UTC(y, m - 1, d, h, min)), type: Date, format: 'yyyy-mm-dd' });

/** A register as a bureau keeps it: a title-less blank first row, the header in row 2, a blank row in the middle. */
const register: Data = [
  [],
  ['编号', '位置WKT', '面积', '层数', '类型', '发现日期', '已核实'],
  [110101001001001, `POLYGON ((${ring(114.3, 30.6)}))`, 1023.5, 3, '存量', date(2024, 3, 5), true],
  [110101001001002, `MULTIPOLYGON (((${ring(114.31, 30.6)})), ((${ring(114.32, 30.6)})))`, 88, 1, '新增', date(2024, 3, 6, 14, 30), false],
  [],
  [110101001001003, 'POLYGON ((114.3 30.6, 114.3', null, 2, '  新增  ', null, null],
  [110101001001004, null, 12, null, '存量', date(2023, 12, 31), null],
];

describe('XLSX register', () => {
  it('reads Chinese headers, WKT polygons, a 15-digit code, a date cell and booleans', async () => {
    const { layer, features, sample } = await read('违建台账.xlsx', await workbook(register, '台账'));
    expect(layer).toMatchObject({ format: 'xlsx', name: '违建台账', geometryColumns: { wkt: '位置WKT' } });
    expect(layer.encoding).toBeUndefined();
    expect(layer.fieldNames).toEqual(['编号', '面积', '层数', '类型', '发现日期', '已核实']);
    // n counts from the row under the header (Excel row 3); the blank Excel row 5 is skipped but counted
    expect(features.map((f) => f.n)).toEqual([1, 2, 4, 5]);
    expect(features[0]).toEqual({
      n: 1,
      properties: { 编号: '110101001001001', 面积: 1023.5, 层数: 3, 类型: '存量', 发现日期: '2024-03-05', 已核实: true },
      geometry: { type: 'Polygon', coordinates: [square(114.3, 30.6)] },
    });
    expect(features[1]!.properties).toMatchObject({ 发现日期: '2024-03-06 14:30:00', 已核实: false });
    expect(features[1]!.geometry).toEqual({ type: 'MultiPolygon', coordinates: [[square(114.31, 30.6)], [square(114.32, 30.6)]] });
    // broken WKT: the row is kept, its geometry null with why, and where it is in Excel
    expect(features[2]!.geometry).toBeNull();
    expect(features[2]!.geometryError).toMatch(/^WKT 无法解析 the WKT in column 位置WKT can't be read: Expecting .* \(Excel row 6\)$/);
    expect(features[2]!.properties).toEqual({ 编号: '110101001001003', 面积: null, 层数: 2, 类型: '新增', 发现日期: null, 已核实: null });
    expect(features[3]).toEqual({
      n: 5,
      properties: { 编号: '110101001001004', 面积: 12, 层数: null, 类型: '存量', 发现日期: '2023-12-31', 已核实: null },
      geometry: null,
    });
    expect(sample).toEqual([114.3, 30.6]);
  });

  it('reads 经度/纬度 number columns as points, and says which Excel row has a bad one', async () => {
    const data: Data = [
      ['名称', '经度', '纬度', '备注'],
      ['大智街夜市', 114.3052, 30.5928, '占道经营'],
      ['一元路', 'abc', 30.6, null],
      ['空白点', null, null, null],
    ];
    const { layer, features } = await read('点位.xlsx', await workbook(data));
    expect(layer.geometryColumns).toEqual({ lon: '经度', lat: '纬度' });
    expect(layer.fieldNames).toEqual(['名称', '备注']);
    expect(features).toEqual([
      { n: 1, properties: { 名称: '大智街夜市', 备注: '占道经营' }, geometry: { type: 'Point', coordinates: [114.3052, 30.5928] } },
      {
        n: 2,
        properties: { 名称: '一元路', 备注: null },
        geometry: null,
        geometryError: '经纬度无效 the longitude "abc" (column 经度) is not a number (Excel row 3)',
      },
      { n: 3, properties: { 名称: '空白点', 备注: null }, geometry: null },
    ]);
    // the columns can be named, as for a CSV, and a wrong name is said in the sheet's terms
    const named = await read('点位.xlsx', await workbook(data), { lonColumn: '经度', latColumn: '纬度' });
    expect(named.features[0]!.geometry).toEqual({ type: 'Point', coordinates: [114.3052, 30.5928] });
    const wrong = await readError('点位.xlsx', await workbook(data), { wktColumn: 'geom' });
    expect(wrong.status).toBe(422);
    expect(wrong.message).toBe('工作表中没有列 geom the sheet has no column "geom" (wktColumn); its columns are 名称, 经度, 纬度, 备注: name one of them');
  });

  it('reads the first sheet, or the sheet named by layer', async () => {
    const points: Data = [
      ['id', 'wkt'],
      [1, 'POINT (114.3 30.6)'],
    ];
    const book = await writeXlsxFile([
      { sheet: '点位', data: points },
      { sheet: '台账', data: register },
    ]).toBuffer();
    const first = await read('两表.xlsx', book);
    expect(first.features).toEqual([{ n: 1, properties: { id: 1 }, geometry: { type: 'Point', coordinates: [114.3, 30.6] } }]);
    const named = await read('两表.xlsx', book, { layer: '台账' });
    expect(named.layer.fieldNames).toContain('发现日期');
    expect(named.features).toHaveLength(4);
    // a name differing only in case or blanks still finds the sheet
    expect((await read('两表.xlsx', await writeXlsxFile([{ sheet: 'Grid', data: points }]).toBuffer(), { layer: ' grid ' })).features).toHaveLength(1);
    const missing = await readError('两表.xlsx', book, { layer: '网格' });
    expect(missing.status).toBe(422);
    expect(missing.message).toContain('the workbook has no sheet "网格"; its sheets are 点位, 台账');
  });

  it('refuses a value right of the header, naming the Excel row and column', async () => {
    const data: Data = [
      ['名称', 'wkt'],
      ['甲', 'POINT (1 2)', null, '备注写在表外'],
    ];
    const err = await readError('x.xlsx', await workbook(data));
    expect(err.status).toBe(422);
    expect(err.message).toContain('Excel row 2 has a value in column D');
  });

  it('refuses an empty workbook and a header alone: 文件中没有要素 (422)', async () => {
    const empty = await readError('空.xlsx', await workbook([[]]));
    expect(empty.status).toBe(422);
    expect(empty.message).toMatch(/^文件中没有要素 the file has no features \(sheet "Sheet1" is empty\)/);
    const header = await readError('表头.xlsx', await workbook([[], ['编号', 'WKT']]));
    expect(header.status).toBe(422);
    expect(header.message).toContain('文件中没有要素');
    expect(header.message).toContain('a header in row 2 and no rows under it');
  });

  it('refuses a workbook over the caps with 413, saying to split it or save it as CSV', async () => {
    const book = await workbook(register);
    const bytes = await readError('台账.xlsx', book, {}, { ...XLSX_LIMITS, maxFileBytes: 1000 });
    expect(bytes.status).toBe(413);
    expect(bytes.message).toMatch(/^Excel 文件过大 the workbook is 1 MB, more than the 1 MB/);
    expect(bytes.message).toContain('split the register');
    expect(bytes.message).toContain('CSV');
    const xml = await readError('台账.xlsx', book, {}, { ...XLSX_LIMITS, maxXmlBytes: 1000 });
    expect(xml.status).toBe(413);
    expect(xml.message).toContain('unpacks to');
    // 5 rows under the header (the blank one counts, as it does for n)
    const rows = await readError('台账.xlsx', book, {}, { ...XLSX_LIMITS, maxRows: 4 });
    expect(rows.status).toBe(413);
    expect(rows.message).toContain('sheet "Sheet1" has more than 4 rows after the header (Excel row 7 has values)');
    expect((await read('台账.xlsx', book, {}, { ...XLSX_LIMITS, maxRows: 5 })).features).toHaveLength(4);
  });

  it('refuses an .xls, an encrypted workbook and a damaged one, saying what to do', async () => {
    const ole2 = Buffer.alloc(2048);
    Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(ole2);
    const xls = await readError('台账.xls', ole2);
    expect(xls.status).toBe(422);
    expect(xls.message).toContain('.xls');
    expect(xls.message).toContain('Save As "Excel Workbook (*.xlsx)"');
    expect(xls.message).toContain('CSV');
    // the same bytes named .xlsx are still an .xls
    expect((await readError('台账.xlsx', ole2)).message).toContain('old binary Excel workbook');

    // Office wraps an encrypted .xlsx in OLE2, with an EncryptedPackage stream
    const encrypted = Buffer.concat([ole2, Buffer.from('EncryptionInfo', 'utf16le'), Buffer.alloc(100), Buffer.from('EncryptedPackage', 'utf16le')]);
    const password = await readError('台账.xlsx', encrypted);
    expect(password.status).toBe(422);
    expect(password.message).toContain('encrypted with a password');
    expect(password.message).toContain('clear the password');

    const book = await workbook(register);
    const truncated = await readError('台账.xlsx', book.subarray(0, Math.floor(book.length / 2)));
    expect(truncated.status).toBe(400);
    expect(truncated.message).toMatch(/^Excel 文件已损坏 the Excel workbook is damaged or incomplete/);

    const csv = await readError('台账.xlsx', Buffer.from('编号,WKT\n1,POINT (1 2)\n'));
    expect(csv.status).toBe(400);
    expect(csv.message).toContain('if it is a CSV, name it .csv');

    // a text node no cell can hold is a broken part, not something to buffer
    const parts = new Map(handWritten);
    parts.set(
      'xl/worksheets/sheet2.xml',
      `<worksheet><sheetData><row r="1"><c t="inlineStr"><is><t>${'x'.repeat(5 << 20)}</t></is></c></row></sheetData></worksheet>`,
    );
    const huge = await readError('台账.xlsx', await zipBuffer([...parts]));
    expect(huge.status).toBe(422);
    expect(huge.message).toContain('a value or tag of more than 4,194,304 characters');

    const docx = await readError(
      '台账.xlsx',
      await zipBuffer([
        ['[Content_Types].xml', '<Types/>'],
        ['word/document.xml', '<document/>'],
      ]),
    );
    expect(docx.status).toBe(422);
    expect(docx.message).toContain('not an Excel workbook');
  });

  it('is chosen by openLayer by content, whatever the name, with [Content_Types].xml first or not', async () => {
    const book = await workbook(register);
    expect((await read('台账.zip', book)).layer.format).toBe('xlsx');
    expect((await read('upload', book)).layer.format).toBe('xlsx');
    // another writer's order: xl/workbook.xml first, [Content_Types].xml last
    const reordered = await zipBuffer((await unzipBuffer(book)).reverse());
    expect(reordered.subarray(30, 30 + 19).toString('latin1')).not.toBe('[Content_Types].xml');
    const { layer, features } = await read('export.zip', reordered);
    expect(layer.format).toBe('xlsx');
    expect(features.map((f) => f.properties['编号'])).toEqual(['110101001001001', '110101001001002', '110101001001003', '110101001001004']);
  });
});

/** A workbook as other writers make it (WPS, .NET's `x:` prefix, LibreOffice), written part by part. */
const handWritten: [string, string][] = [
  [
    'xl/workbook.xml',
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<x:workbook xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<x:workbookPr date1904="1"/><!-- a > comment -->
<x:sheets><x:sheet name="巡查&amp;台账" sheetId="2" r:id="rId7"/><x:sheet name="其他" sheetId="1" r:id="rId1"/></x:sheets></x:workbook>`,
  ],
  [
    'xl/_rels/workbook.xml.rels',
    `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId7" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/sheet2.xml"/>
<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="strings.xml"/>
<Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`,
  ],
  [
    'xl/strings.xml',
    `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>编号</t></si>
<si><r><rPr><b/></rPr><t>名</t></r><r><t xml:space="preserve">称 </t></r><rPh sb="0" eb="1"><t>ミョウ</t></rPh></si>
<si><t>geom</t></si><si><t>POINT (114.3 30.6)</t></si><si><t>第一行_x000D_
第二行 &lt;夜市&gt;</t></si><si><t>发现日期</t></si></sst>`,
  ],
  [
    'xl/styles.xml',
    `<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="1"><numFmt numFmtId="176" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/></numFmts>
<cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs>
<cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="176" applyNumberFormat="1"/><xf numFmtId="31"/><xf numFmtId="49"/></cellXfs></styleSheet>`,
  ],
  [
    'xl/worksheets/sheet2.xml',
    `<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:dimension ref="A1:E5"/><x:sheetData>
<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="s"><x:v>1</x:v></x:c><x:c r="C1" t="s"><x:v>2</x:v></x:c><x:c r="D1" t="s" s="0"><x:v>5</x:v></x:c><x:c r="E1" t="inlineStr"><x:is><x:t>备注</x:t></x:is></x:c></x:row>
<x:row r="2"><x:c r="A2" s="3"><x:v>110101001001001</x:v></x:c><x:c r="B2" t="inlineStr"><x:is><x:r><x:t>大智</x:t></x:r><x:r><x:t>街</x:t></x:r></x:is></x:c><x:c r="C2" t="s"><x:v>3</x:v></x:c><x:c r="D2" s="1"><x:v>43894</x:v></x:c><x:c r="E2" t="s"><x:v>4</x:v></x:c></x:row>
<x:row r="4" spans="1:5"><x:c r="A4" t="str"><x:f>A2&amp;"X"</x:f><x:v>110101001001001X</x:v></x:c><x:c r="B4" t="e"><x:f>1/0</x:f><x:v>#DIV/0!</x:v></x:c><x:c r="C4" t="str"><x:v>POINT (114.4 30.7)</x:v></x:c><x:c r="D4" s="2"><x:v>43894.5</x:v></x:c><x:c r="E4" t="b"><x:v>1</x:v></x:c></x:row>
<x:row><x:c t="d"><x:v>2024-03-05T08:00:00</x:v></x:c><x:c s="1"/><x:c t="inlineStr"><x:is><x:t><![CDATA[POINT (1 2)]]></x:t></x:is></x:c></x:row>
</x:sheetData><x:pageMargins left="0.7"/></x:worksheet>`,
  ],
  ['xl/worksheets/sheet1.xml', '<worksheet><sheetData><row r="3"><c r="B3" t="inlineStr"><is><t>WKT</t></is></c></row></sheetData></worksheet>'],
  ['[Content_Types].xml', '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'],
];

describe('XLSX from other writers', () => {
  it('reads prefixed elements, rich text, inline strings, formulas, errors, a 1904 workbook and CJK date formats', async () => {
    const zip = await zipBuffer(handWritten);
    // xl/workbook.xml is the first entry: chosen by content, not by the .zip name
    const { layer, features } = await read('巡查.zip', zip);
    expect(layer).toMatchObject({ format: 'xlsx', name: '巡查', geometryColumns: { wkt: 'geom' }, fieldNames: ['编号', '名称', '发现日期', '备注'] });
    expect(features).toEqual([
      {
        n: 1,
        properties: { 编号: '110101001001001', 名称: '大智街', 发现日期: '2024-03-05', 备注: '第一行\r\n第二行 <夜市>' },
        geometry: { type: 'Point', coordinates: [114.3, 30.6] },
      },
      {
        n: 3,
        properties: { 编号: '110101001001001X', 名称: '#DIV/0!', 发现日期: '2024-03-05 12:00:00', 备注: true },
        geometry: { type: 'Point', coordinates: [114.4, 30.7] },
      },
      { n: 4, properties: { 编号: '2024-03-05 08:00:00', 名称: null, 发现日期: null, 备注: null }, geometry: { type: 'Point', coordinates: [1, 2] } },
    ]);
    const other = await readError('巡查.zip', zip, { layer: '其他' });
    expect(other.status).toBe(422);
    expect(other.message).toContain('sheet "其他" has a header in row 3 and no rows under it');
  });

  it('parses XML cut anywhere into chunks, even inside a UTF-8 character, as it does whole', async () => {
    const events = async (xml: string, size: number) => {
      const bytes = Buffer.from(xml);
      const chunks = (async function* () {
        for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
      })();
      const out: string[] = [];
      let text = '';
      const flush = () => {
        if (text.trim()) out.push(`text ${text}`);
        text = '';
      };
      const handler = {
        open: (name: string, attrs: Record<string, string>) => {
          flush();
          out.push(
            `<${name}${Object.entries(attrs)
              .map(([k, v]) => ` ${k}=${v}`)
              .join('')}>`,
          );
        },
        close: (name: string) => {
          flush();
          out.push(`</${name}>`);
        },
        text: (t: string) => {
          text += t;
        },
      };
      for await (const _ of parseXml(chunks, handler, 'part.xml'));
      flush();
      return out;
    };
    for (const [, xml] of handWritten) {
      const whole = await events(xml, Infinity);
      expect(whole.length).toBeGreaterThan(0);
      for (const size of [1, 2, 5]) expect(await events(xml, size)).toEqual(whole);
    }
    expect(await events('<x:a x="1>2" r:id="r&amp;1">&lt;&#x4E2D;&#25991;&amp;<![CDATA[<b>&amp;]]><!-- <c> --><b/></x:a>', 1)).toEqual([
      '<a x=1>2 r:id=r&1>',
      'text <中文&<b>&amp;',
      '<b>',
      '</b>',
      '</a>',
    ]);
  });

  it('refuses malformed XML as a damaged workbook (400), and a tag no cell can hold (422)', async () => {
    for (const xml of [
      '<worksheet><sheetData><row r="1"><c t="inlineStr"><is><t>a</t></is></c></sheetData></worksheet>',
      '<worksheet><sheetData><row r="1"><c t="inlineStr"><is><t>a &nbsp; b</t></is></c></row></sheetData></worksheet>',
      '<worksheet><sheetData><row r="1"><c t="inlineStr"><is><t>a</t></is></c></row>',
    ]) {
      const parts = new Map(handWritten);
      parts.set('xl/worksheets/sheet2.xml', xml);
      const err = await readError('台账.xlsx', await zipBuffer([...parts]));
      expect(err.status).toBe(400);
      expect(err.message).toMatch(/^Excel 文件已损坏 the Excel workbook is damaged or incomplete \(xl\/worksheets\/sheet2\.xml: \d+:\d+: /);
    }
    const parts = new Map(handWritten);
    parts.set('xl/worksheets/sheet2.xml', `<worksheet><sheetData><row r="1"><c r="A1" s="${'0'.repeat(5 << 20)}"/></row></sheetData></worksheet>`);
    const huge = await readError('台账.xlsx', await zipBuffer([...parts]));
    expect(huge.status).toBe(422);
    expect(huge.message).toContain('a value or tag of more than 4,194,304 characters');
  });

  it('streams a 20,000-row sheet', async () => {
    const data: Data = [['网格编码', 'lng', 'lat']];
    for (let i = 0; i < 20_000; i++) data.push([420102001000000 + i, 114 + i * 1e-5, 30.6]);
    const layer = await openXlsx(await upload('big.xlsx', await workbook(data)), { filename: 'big.xlsx' });
    let count = 0;
    let last: SourceFeature | undefined;
    for await (const f of layer.features()) {
      count++;
      last = f;
    }
    await layer.close();
    expect(count).toBe(20_000);
    expect(last).toMatchObject({
      n: 20_000,
      properties: { 网格编码: '420102001019999' },
      geometry: { type: 'Point', coordinates: [114 + 19_999 * 1e-5, 30.6] },
    });
  });
});

describe('XLSX cells', () => {
  it('keeps a whole number of 15+ digits as its digits, other numbers as numbers', () => {
    expect(numberValue('110101001001001')).toBe('110101001001001');
    expect(numberValue('1.10101001001001E+14')).toBe('110101001001001');
    expect(numberValue('100000000000000')).toBe('100000000000000');
    // Excel keeps 15 significant digits: an 18-digit code typed as a number comes back as Excel stored it
    expect(numberValue('4.20102001001004E+17')).toBe('420102001001004000');
    expect(numberValue('1e+21')).toBe('1000000000000000000000');
    expect(numberValue('-110101001001001')).toBe('-110101001001001');
    expect(numberValue('11010100100100')).toBe(11010100100100);
    expect(numberValue('10234.5')).toBe(10234.5);
    expect(numberValue('1.5E-3')).toBe(0.0015);
    expect(numberValue('123456789012345.5')).toBe(123456789012345.5);
    expect(numberValue('-0')).toBe(0);
    expect(numberValue('abc')).toBe('abc');
  });

  it('writes date serials as YYYY-MM-DD, with the time when there is one', () => {
    expect(excelDate(45356)).toBe('2024-03-05');
    expect(excelDate(45356.604166666664)).toBe('2024-03-05 14:30:00');
    expect(excelDate(1)).toBe('1900-01-01');
    expect(excelDate(61)).toBe('1900-03-01');
    expect(excelDate(0.34375)).toBe('08:15:00');
    expect(excelDate(43894, true)).toBe('2024-03-05');
    expect(excelDate(-1)).toBeNull();
  });

  it('tells date formats from number formats', () => {
    for (const f of ['yyyy-mm-dd', 'yyyy"年"m"月"d"日"', '[$-804]yyyy/m/d;@', 'm/d/yy h:mm', '[h]:mm:ss', '上午/下午h"时"mm"分"'])
      expect(isDateFormat(f)).toBe(true);
    for (const f of ['0.00', '#,##0" 元"', '0"m²"', '[Red]-0.00', '0.00E+00', '@', 'General', '000000']) expect(isDateFormat(f)).toBe(false);
  });

  it('names columns as Excel does', () => {
    expect([1, 4, 26, 27, 52, 703].map(columnLetter)).toEqual(['A', 'D', 'Z', 'AA', 'AZ', 'AAA']);
  });
});

function unzipBuffer(buffer: Buffer): Promise<[string, Buffer][]> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buffer, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      const entries: [string, Buffer][] = [];
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (err2, stream) => {
          if (err2) return reject(err2);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            entries.push([entry.fileName, Buffer.concat(chunks)]);
            zip.readEntry();
          });
          stream.on('error', reject);
        });
      });
      zip.on('end', () => resolve(entries));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}
