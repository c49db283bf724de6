// The web pages in a real headless Chromium (Debian's package): a clerk's day, a supervisor's
// extension, and another department's clerk refused. Screenshots go to target/e2e-screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startDemoServer, api, repo } from './server.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const SHOTS = path.join(repo, 'target', 'e2e-screenshots');
const PASSWORD = 'huiyin-demo';

let server;
let browser;
let overdueId;
let extendId;

/** 09:30 Beijing time `days` calendar days ago, as RFC 3339. */
function beijingMorning(days) {
  const date = new Date(Date.now() + 8 * 3_600_000 - days * 86_400_000).toISOString().slice(0, 10);
  return `${date}T09:30:00+08:00`;
}

before(async () => {
  assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM}: run .ci/e2e-setup (apt-get install chromium)`);
  mkdirSync(SHOTS, { recursive: true });
  server = await startDemoServer();
  // A consultation received 30 days ago is overdue whatever day the test runs.
  const created = await api(server, 'POST', '/api/v1/messages', {
    channel: 'mayor_mailbox',
    category: 'consultation',
    department: 'zjj',
    subject: '关于小区二次供水水压不足的咨询',
    body: '市长您好：我是幸福里小区3号楼住户，近一个月来高峰时段水压明显不足，六楼以上经常停水。请问二次供水设施改造何时进行？谢谢！',
    received_at: beijingMorning(30),
    citizen: { name: '王小明', phone: '13912345678' },
  });
  overdueId = created.id;
  // A complaint from yesterday (10 working days, at most 15 in all): extensions are granted before the deadline only.
  const pending = await api(server, 'POST', '/api/v1/messages', {
    channel: 'mayor_mailbox',
    category: 'complaint',
    department: 'zjj',
    subject: '关于小区地下管网漏水的投诉',
    body: '市长您好：幸福里小区地下供水管网多处漏水，物业多次维修无果，请有关部门协调处理。',
    received_at: beijingMorning(1),
    citizen: { name: '李华', phone: '13712345678' },
  });
  extendId = pending.id;
  // Recent messages, so the inbox shows what a clerk's usually does: due soon, in time, paused.
  const recent = [
    ['website_error', 'error_report', '市住房和城乡建设局网站：政策文件栏目链接打不开', 2],
    ['mayor_mailbox', 'help', '老旧小区加装电梯补贴申请求助', 4],
    ['mayor_mailbox', 'complaint', '老旧小区改造施工夜间扰民投诉', 3],
    ['mayor_mailbox', 'consultation', '公租房申请条件咨询', 1],
    ['mayor_mailbox', 'suggestion', '建议在新建小区同步配建电动自行车充电设施', 2],
  ];
  for (const [channel, category, subject, days] of recent) {
    const m = await api(server, 'POST', '/api/v1/messages', {
      channel,
      category,
      department: 'zjj',
      subject,
      body: `您好：${subject}，具体情况详见附件说明，请相关部门尽快核实处理并答复。`,
      received_at: beijingMorning(days),
      citizen: { name: '李华', phone: '13700001111' },
      ...(channel === 'website_error'
        ? { site: { name: '市住房和城乡建设局网站', url: 'https://zjj.example.gov.cn/zwgk/' } }
        : {}),
    });
    if (category === 'suggestion') {
      await api(server, 'POST', `/api/v1/messages/${m.id}/pause`, { reason: '请群众补充小区名称及所在街道' });
    }
  }
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** A new browser context and page at the given width, with every request outside the server refused. */
async function newPage(width = 1280, height = 900) {
  const context = await browser.newContext({ viewport: { width, height }, locale: 'zh-CN' });
  const page = await context.newPage();
  const outside = [];
  await page.route('**/*', (route) => {
    if (route.request().url().startsWith(server.base)) return route.continue();
    outside.push(route.request().url());
    return route.abort();
  });
  page.outside = outside;
  return page;
}

/** Logs in with the keyboard alone: the email field has focus, Tab to the password, Enter to submit. */
async function login(page, email) {
  await page.goto(`${server.base}/login`);
  // Chromium applies autofocus at its next rendering step, after the load event.
  await page.waitForFunction(() => document.activeElement?.id === 'email');
  await page.keyboard.type(email);
  await page.keyboard.press('Tab');
  await page.keyboard.type(PASSWORD);
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  assert.notEqual(new URL(page.url()).pathname, '/login', `login as ${email} failed: ${await page.locator('main').innerText()}`);
}

test('a clerk sees the overdue message first, replies to it and it leaves the inbox', async () => {
  const page = await newPage();
  await login(page, 'clerk.zjj@demo.gov.cn');
  assert.equal(new URL(page.url()).pathname, '/');
  await page.waitForSelector('table.list tbody tr');
  const first = page.locator('table.list tbody tr').first();
  assert.match(await first.getAttribute('class'), /row-overdue/);
  assert.match(await first.locator('.badge').first().innerText(), /已逾期/);
  assert.equal(
    await page.locator('.badge-overdue').first().evaluate((e) => getComputedStyle(e).backgroundColor),
    'rgb(180, 35, 24)',
    'overdue badges are red',
  );
  await page.screenshot({ path: path.join(SHOTS, 'inbox.png'), fullPage: false });

  // The overdue message made for this test, found by the search box.
  await page.fill('#q', '二次供水');
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("筛选")')]);
  await Promise.all([page.waitForNavigation(), page.click(`a[href="/messages/${overdueId}"]`)]);
  assert.equal(new URL(page.url()).pathname, `/messages/${overdueId}`);
  assert.match(await page.locator('h1').innerText(), /二次供水/);
  // Own department: the contact is shown in full.
  assert.match(await page.locator('dl.facts').nth(1).innerText(), /13912345678/);
  await page.screenshot({ path: path.join(SHOTS, 'message.png'), fullPage: true });

  // A reply without final punctuation is flagged first, then sent after correction.
  await page.fill('#reply-body', '您好，您反映的幸福里小区二次供水问题已转供水公司核实，改造计划将于下月公布');
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("提交答复")')]);
  assert.match(await page.locator('.alert-warn').innerText(), /标点/);
  await page.screenshot({ path: path.join(SHOTS, 'message-reply-warning.png'), fullPage: false });
  await page.fill('#reply-body', '您好！您反映的幸福里小区二次供水水压不足问题已转供水公司核实，改造计划将于下月在政府网站公布。感谢您的监督。');
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("修改后重新检查")')]);
  assert.equal(new URL(page.url()).pathname, '/');
  assert.match(await page.locator('.alert-ok').innerText(), new RegExp(`#${overdueId} 已答复`));
  assert.equal(await page.locator(`a[href="/messages/${overdueId}"]`).count(), 0, 'the replied message left the inbox');

  // Phone width: the list becomes cards.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  assert.equal(await page.locator('table.list thead').evaluate((e) => e.getBoundingClientRect().left < 0), true);
  await page.screenshot({ path: path.join(SHOTS, 'inbox-phone.png'), fullPage: false });
  assert.deepEqual(page.outside, [], 'no page loads anything from elsewhere');
  await page.context().close();
});

test('a supervisor sees the overdue list and grants an extension before the deadline', async () => {
  const page = await newPage();
  await login(page, 'supervisor.zjj@demo.gov.cn');
  assert.equal(new URL(page.url()).pathname, '/dashboard');
  const overdue = page.locator('section[aria-labelledby="h-overdue"] table.list tbody tr');
  assert.ok((await overdue.count()) > 0, 'the demo department has overdue messages');
  await page.screenshot({ path: path.join(SHOTS, 'dashboard.png'), fullPage: false });

  // An overdue message gets no extension (asking after the deadline counts as a late reply) …
  await Promise.all([page.waitForNavigation(), overdue.first().locator('a').first().click()]);
  assert.match(await page.locator('.badge').first().innerText(), /已逾期/);
  // … one still in time does.
  await page.goto(`${server.base}/messages/${extendId}`);
  await page.click('summary:has-text("批准延期")');
  // Five more: the complaint's 10 working days plus 5 reach the total cap of 15 from receipt.
  await page.fill('#extend-days', '5');
  await page.fill('#extend-reason', '需会同供水公司现场核查');
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("批准延期")')]);
  assert.match(await page.locator('.alert-ok').innerText(), /已批准延期/);
  assert.match(await page.locator('ol.timeline').innerText(), /延长5个工作日/);
  assert.deepEqual(page.outside, []);
  await page.context().close();
});

test('a clerk of another department is refused the message page', async () => {
  const page = await newPage();
  await login(page, 'clerk.jyj@demo.gov.cn');
  const res = await page.goto(`${server.base}/messages/${overdueId}`);
  assert.equal(res.status(), 404);
  assert.match(await page.locator('h1').innerText(), /未找到/);
  assert.doesNotMatch(await page.content(), /二次供水/);
  await page.context().close();
});
