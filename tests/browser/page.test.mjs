// page.test.mjs - the idxd search page in headless Chromium (Debian's), driven
// by playwright-core.  Run by tests/e2e/test_browser.sh, which starts the
// servers and passes:
//   IDXD_URL      idxd over the sample plus crafted articles (payload-1 holds
//                 <img onerror>, <script> and a javascript: URL)
//   CORS_URL      idxd started with --cors-origin http://127.0.0.1:$PAGE_PORT
//   KEYED_URL     idxd started with --keys and a scoped key (source:测试) as --page-key
//   PAGE_PORT     a free port for a copy of the page on another origin
//   CHROMIUM      the browser binary; SHOT_DIR where screenshots go
// Prints "ok NAME" / "FAIL NAME: why" per check; exit status 0 unless the
// browser could not be driven at all.
import { chromium } from "playwright-core";
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const URL0 = process.env.IDXD_URL, CORS_URL = process.env.CORS_URL;
const PAGE_PORT = Number(process.env.PAGE_PORT), SHOT_DIR = process.env.SHOT_DIR || ".";
let failures = 0;
const ok = (name) => console.log("ok   " + name);
const fail = (name, why) => { failures++; console.log("FAIL " + name + ": " + why); };
const check = (name, cond, why) => (cond ? ok(name) : fail(name, why === undefined ? "false" : why));

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, locale: "zh-CN" });
const page = await context.newPage();
// anything a payload could run is caught here: dialogs, page errors, alert()
const dialogs = [], errors = [];
page.on("dialog", (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
page.on("pageerror", (e) => errors.push(String(e)));
page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
await page.addInitScript(() => {
  window.__ran = [];
  window.alert = (m) => window.__ran.push("alert:" + m);
});

const T = 10000;
const texts = (sel) => page.$$eval(sel, (els) => els.map((e) => e.textContent));
const query = () => new URL(page.url()).searchParams;

try {
  // ---- type a query: suggestions, then results with <mark> ----
  await page.goto(URL0 + "/", { waitUntil: "load" });
  check("the page loads with the search box focused", await page.evaluate(() => document.activeElement.id) === "q");
  await page.keyboard.type("南通开发区");
  await page.waitForSelector("#suggest li", { timeout: T });
  const sug = await page.$$eval("#suggest li", (els) => els.map((e) => e.innerHTML));
  check("suggestions appear as you type, with <mark>", sug.length > 0 && sug.some((h) => h.includes("<mark>")), JSON.stringify(sug));
  await page.keyboard.press("Escape");
  check("Escape closes the suggestions", await page.isHidden("#suggest"));
  await page.keyboard.press("Enter");
  await page.waitForSelector("#results li.hit", { timeout: T });
  const firstTitle = await page.$eval("#results li.hit h3 a", (a) => a.innerHTML);
  check("Enter searches: the first hit's title has <mark>南通开发区</mark>", firstTitle.includes("<mark>南通开发区</mark>"), firstTitle);
  check("the URL holds the query", query().get("q") === "南通开发区", page.url());
  check("hit count and time are shown", /找到.*条结果，用时 [0-9.]+ 毫秒/.test(await page.textContent("#status")), await page.textContent("#status"));

  // ---- paging, back button ----
  await page.fill("#q", "经济");
  await page.press("#q", "Enter");
  await page.waitForFunction(() => new URLSearchParams(location.search).get("q") === "经济" && document.querySelector("#results li.hit"));
  await page.waitForSelector("#pager:not([hidden])", { timeout: T });
  const page1 = await texts("#results li.hit h3");
  await page.screenshot({ path: join(SHOT_DIR, "search-page.png") });
  await page.click("#next");
  await page.waitForFunction(() => /第 2 页/.test(document.querySelector("#pageinfo").textContent), null, { timeout: T });
  const page2 = await texts("#results li.hit h3");
  check("next page: page=2 in the URL and other hits", query().get("page") === "2" && page2.length > 0 && page2[0] !== page1[0], page.url());
  await page.goBack();
  await page.waitForFunction(() => /第 1 页/.test(document.querySelector("#pageinfo").textContent), null, { timeout: T });
  check("the back button returns to page 1", (await texts("#results li.hit h3"))[0] === page1[0]);

  // ---- the timeline: the matches by year as bars; a bar narrows the dates ----
  await page.waitForSelector("#timeline:not([hidden]) svg a", { timeout: T });
  const bars = await page.$$eval("#timeline svg a", (as) => as.map((a) => a.getAttribute("aria-label")));
  check("a bar chart of the matches by year is shown above the results",
    bars.length >= 2 && bars.every((l) => /^\d{4} 年：\d+ 条$/.test(l)), JSON.stringify(bars.slice(0, 3)));
  const counts = bars.map((l) => Number(l.match(/：(\d+) 条/)[1]));
  const top = counts.indexOf(Math.max(...counts)), topYear = bars[top].slice(0, 4);
  check("the chart sits above the first result", await page.evaluate(() =>
    document.querySelector("#timeline").getBoundingClientRect().bottom <= document.querySelector("#results li.hit").getBoundingClientRect().top));
  await page.click("#timeline svg a:nth-of-type(" + (top + 1) + ")");
  await page.waitForFunction((y) => new URLSearchParams(location.search).get("from") === y + "-01-01", topYear, { timeout: T });
  check("clicking a bar narrows the dates to its year (in the URL)",
    query().get("from") === topYear + "-01-01" && query().get("to") === topYear + "-12-31", page.url());
  await page.waitForFunction(() => [...document.querySelectorAll("#timeline svg a")].every((a) => / 月：/.test(a.getAttribute("aria-label"))), null, { timeout: T });
  const inYear = (await texts("#results li.hit .meta")).map((m) => m.slice(0, 4));
  check("then every hit is from that year, and the chart counts its months",
    inYear.length > 0 && inYear.every((y) => y === topYear), JSON.stringify(inYear));
  await page.screenshot({ path: join(SHOT_DIR, "search-timeline.png") });
  await page.goBack();
  await page.waitForFunction(() => !new URLSearchParams(location.search).get("from"), null, { timeout: T });
  await page.waitForFunction(() => [...document.querySelectorAll("#timeline svg a")].some((a) => / 年：/.test(a.getAttribute("aria-label"))), null, { timeout: T });
  check("back: the whole range again", (await texts("#results li.hit h3"))[0] === page1[0]);

  // ---- filter by year from the facets; sort by date ----
  const chip = await page.$("#years button.chip");
  const year = chip ? (await chip.textContent()).slice(0, 4) : "";
  check("year facets are offered", /^\d{4}$/.test(year), year);
  if (chip) {
    await chip.click();
    await page.waitForFunction((y) => new URLSearchParams(location.search).get("year") === y, year, { timeout: T });
    await page.waitForFunction((y) => [...document.querySelectorAll("#years button[aria-pressed=true]")].some((b) => b.textContent.startsWith(y)), year, { timeout: T });
    const metas = await texts("#results li.hit .meta");
    check("filter by year: every hit is from " + year, metas.length > 0 && metas.every((m) => m.startsWith(year)), JSON.stringify(metas));
  }
  await page.selectOption("#sort", "-date");
  await page.waitForFunction(() => new URLSearchParams(location.search).get("sort") === "-date", null, { timeout: T });
  await page.waitForTimeout(300);
  const dates = (await texts("#results li.hit .meta")).map((m) => m.slice(0, 10));
  check("sort newest first: dates descend", dates.length > 1 && dates.every((d, i) => i === 0 || d <= dates[i - 1]), JSON.stringify(dates));

  // ---- open an article, then one of its related articles ----
  await page.click("#results li.hit h3 a");
  await page.waitForSelector("#doc:not([hidden])", { timeout: T });
  await page.waitForSelector("#related li", { timeout: T });
  const docId = query().get("doc");
  check("opening a result shows the article and doc= in the URL", !!docId && (await page.textContent("#doc-body")).length > 20);
  const rel = await texts("#related li h3");
  check("related articles are listed under it", rel.length > 0, JSON.stringify(rel));
  await page.click("#related li h3 a");
  await page.waitForFunction((d) => new URLSearchParams(location.search).get("doc") !== d, docId, { timeout: T });
  await page.waitForFunction(() => !/载入/.test(document.querySelector("#doc-title").textContent), null, { timeout: T });
  check("a related article opens in its turn", (await page.textContent("#doc-title")) === rel[0], await page.textContent("#doc-title"));
  await page.click("#back");
  await page.waitForSelector("#list:not([hidden]) #results li.hit", { timeout: T });
  check("back to the results", await page.isHidden("#doc"));

  // ---- keyboard: pick a suggestion with the arrow keys ----
  await page.fill("#q", "");
  await page.focus("#q");
  await page.keyboard.type("APE");
  await page.waitForSelector("#suggest li", { timeout: T });
  await page.keyboard.press("ArrowDown");
  const picked = await page.$eval("#suggest li[aria-selected=true]", (li) => li.textContent);
  await page.keyboard.press("Enter");
  await page.waitForSelector("#doc:not([hidden])", { timeout: T });
  await page.waitForFunction((t) => document.querySelector("#doc-title").textContent === t, picked, { timeout: T });
  check("ArrowDown + Enter on a suggestion opens that article", true);

  // ---- payloads in an article run nothing ----
  await page.goto(URL0 + "/?q=" + encodeURIComponent("载荷测试"), { waitUntil: "load" });
  await page.waitForSelector("#results li.hit", { timeout: T });
  const hitHtml = await page.$eval("#results li.hit h3 a", (a) => a.innerHTML);
  check("a payload title shows as text in the results", hitHtml.includes("&lt;img src=x onerror=") && !hitHtml.includes("<img"), hitHtml);
  check("no <img> or <script> element came from the results", await page.evaluate(() => document.querySelectorAll("#results img, #results script, #results svg").length) === 0);
  await page.click("#results li.hit h3 a");
  await page.waitForFunction(() => document.querySelector("#doc-title").textContent.includes("载荷测试"), null, { timeout: T });
  const docTitle = await page.textContent("#doc-title");
  check("the article view shows the payload title as text", docTitle.startsWith("<img src=x onerror=alert(1)>"), docTitle);
  check("the body's <script> is text, not an element", (await page.textContent("#doc-body")).includes("<script>") &&
    await page.evaluate(() => document.querySelectorAll("#doc script, #doc img").length) === 0);
  check("a javascript: URL is not made a link", await page.isHidden("#doc-link"));
  await page.waitForTimeout(500);
  check("nothing ran: no dialog, no alert()", dialogs.length === 0 && (await page.evaluate(() => window.__ran.length)) === 0, JSON.stringify(dialogs));

  // ---- a narrow phone screen ----
  await page.setViewportSize({ width: 375, height: 740 });
  await page.goto(URL0 + "/?q=" + encodeURIComponent("南通开发区"), { waitUntil: "load" });
  await page.waitForSelector("#results li.hit", { timeout: T });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check("375 px wide: nothing sticks out sideways", overflow <= 0, "overflow " + overflow + " px");
  await page.screenshot({ path: join(SHOT_DIR, "search-page-phone.png") });
  await page.goto(URL0 + "/?q=" + encodeURIComponent("经济"), { waitUntil: "load" });
  await page.waitForSelector("#timeline:not([hidden]) svg a", { timeout: T });
  const chart = await page.evaluate(() => {
    const r = document.querySelector("#chart svg").getBoundingClientRect();
    return { left: r.left, right: r.right, height: r.height, over: document.documentElement.scrollWidth - window.innerWidth };
  });
  check("375 px wide: the timeline fits the screen", chart.left >= 0 && chart.right <= 375 && chart.height > 30 && chart.over <= 0,
    JSON.stringify(chart));
  await page.screenshot({ path: join(SHOT_DIR, "search-timeline-phone.png") });
  check("no script errors on the page", errors.length === 0, JSON.stringify(errors.slice(0, 3)));

  // ---- CORS: a copy of the page on another origin queries idxd ----
  const dir = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "query", "web");
  const html = readFileSync(join(dir, "index.html"), "utf8").replace('data-api=""', 'data-api="' + CORS_URL + '"');
  const files = { "/": [html, "text/html"], "/app.js": [readFileSync(join(dir, "app.js")), "text/javascript"],
                  "/app.css": [readFileSync(join(dir, "app.css")), "text/css"],
                  "/favicon.svg": [readFileSync(join(dir, "favicon.svg")), "image/svg+xml"] };
  const server = createServer((req, res) => {
    const f = files[new URL(req.url, "http://x").pathname];
    res.writeHead(f ? 200 : 404, { "Content-Type": f ? f[1] + "; charset=utf-8" : "text/plain" });
    res.end(f ? f[0] : "not found");
  });
  await new Promise((r) => server.listen(PAGE_PORT, "127.0.0.1", r));
  const other = await context.newPage();
  await other.goto("http://127.0.0.1:" + PAGE_PORT + "/?q=" + encodeURIComponent("南通开发区"), { waitUntil: "load" });
  await other.waitForSelector("#results li.hit", { timeout: T });
  check("CORS: the page on another origin gets results from idxd", (await other.$$("#results li.hit")).length > 0);
  const pre = await other.evaluate(async (u) => {
    const r = await fetch(u + "/search?q=%E7%BB%8F%E6%B5%8E", { headers: { "Content-Type": "application/json" } });
    return r.status;
  }, CORS_URL);
  check("CORS: a request that needs a preflight is let through", pre === 200, String(pre));
  const denied = await other.evaluate(async (u) => {
    try { await fetch(u + "/search?q=x"); return "allowed"; } catch (e) { return "blocked"; }
  }, URL0);
  check("CORS: an idxd without --cors-origin is not readable from another origin", denied === "blocked", denied);
  server.close();

  // an idxd with --keys whose page carries a scoped key (--page-key) in data-key
  const K = process.env.KEYED_URL;
  if (K) {
    const kp = await context.newPage();
    await kp.goto(K + "/?q=" + encodeURIComponent("载荷测试"), { waitUntil: "load" });
    await kp.waitForSelector("#results li.hit", { timeout: T });
    const ids = await kp.$$eval("#results li.hit", (els) => els.map((e) => e.dataset.id));
    check("keys: the page sends the key of its data-key and gets results", ids.join(",") === "payload-1", ids.join(","));
    const seen = await kp.evaluate(async () => {
      const k = document.documentElement.dataset.key;
      const r = await fetch("/search?q=" + encodeURIComponent("南通开发区"), { headers: { Authorization: "Bearer " + k } });
      return r.status + " " + (await r.json()).total;
    });
    check("keys: the page's scoped key sees nothing outside its filter", seen === "200 0", seen);
    const anon = await kp.evaluate(async () => (await fetch("/search?q=x")).status);
    check("keys: without a key the API answers 401", anon === 401, String(anon));
  }
} catch (e) {
  fail("browser run", String(e && e.stack || e).split("\n").slice(0, 4).join(" | "));
}
await browser.close();
process.exit(0);
