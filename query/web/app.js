// The idx search page (query/web/): plain JavaScript over idxd's JSON API.
//
// State lives in the URL (?q=&page=&sort=&from=&to=&year=&source=&doc=), so a
// result page can be shared and the back button works: every change pushes a
// history entry and render() draws the page from the URL alone.
//
// Above the results a bar chart (SVG drawn here, no library) shows when the
// matches were published: idxd's histogram= by year, or by month or day when
// the date range is narrow; a bar is a link that narrows from/to to its
// bucket, so the chart, like everything else, is state in the URL.
//
// Safety: the only HTML ever inserted is what idxd escaped itself - title_html,
// snippet and the suggestions' html, where everything but <mark> is escaped.
// Article text, titles in the article view, dates, sources and URLs go in as
// text (textContent), links only when they are http(s).  The page's
// Content-Security-Policy (set by idxd) forbids inline scripts on top.
"use strict";

const API = document.documentElement.dataset.api || "";
const KEY = document.documentElement.dataset.key || ""; // a search or scoped key (idxd --page-key)
const PER_PAGE = 10;
const KEYS = ["q", "page", "sort", "from", "to", "year", "source", "doc"];
const $ = (id) => document.getElementById(id);

function el(tag, props, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (k === "html") e.innerHTML = v; // only server-escaped HTML comes here
    else if (k === "text") e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const k of kids) if (k) e.append(k);
  return e;
}

async function api(path, params) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) if (v !== "" && v != null) qs.set(k, v);
  const url = API + path + (qs.toString() ? "?" + qs : "");
  const headers = { Accept: "application/json" };
  if (KEY) headers.Authorization = "Bearer " + KEY;
  const r = await fetch(url, { headers });
  const body = await r.json().catch(() => null);
  if (!r.ok) {
    const msg = body && body.error ? body.error.message : "HTTP " + r.status;
    throw new Error(msg);
  }
  return body;
}

// ---- state <-> URL ----
function readState() {
  const p = new URLSearchParams(location.search), s = {};
  for (const k of KEYS) s[k] = p.get(k) || "";
  s.page = Math.max(1, parseInt(s.page, 10) || 1);
  if (!["relevance", "date", "-date"].includes(s.sort)) s.sort = "relevance";
  return s;
}

function go(changes, replace) {
  const s = Object.assign(readState(), changes), p = new URLSearchParams();
  for (const k of KEYS) {
    const v = s[k];
    if (v === "" || v == null || (k === "page" && v === 1) || (k === "sort" && v === "relevance")) continue;
    p.set(k, v);
  }
  const url = location.pathname + (p.toString() ? "?" + p : "");
  if (replace) history.replaceState(null, "", url);
  else history.pushState(null, "", url);
  render();
}

// ---- search results ----
let searchSeq = 0, lastSearchKey = "";

function fmtMeta(h) {
  return [h.date ? h.date.slice(0, 10) : "", h.source || "", h.category || ""].filter(Boolean).join(" · ");
}

function chips(box, counts, key, current) {
  box.replaceChildren();
  const vals = Object.entries(counts || {});
  if (key === "year") vals.sort((a, b) => b[0].localeCompare(a[0]));
  for (const [v, n] of vals.slice(0, 12)) {
    const on = current === v;
    const b = el("button", { type: "button", class: "chip", "aria-pressed": on ? "true" : "false" },
      document.createTextNode(v + " (" + n + ")"));
    b.addEventListener("click", () => go({ [key]: on ? "" : v, page: 1, doc: "" }));
    box.append(b);
  }
  if (current && !vals.some(([v]) => v === current)) {
    const b = el("button", { type: "button", class: "chip", "aria-pressed": "true" }, document.createTextNode(current));
    b.addEventListener("click", () => go({ [key]: "", page: 1, doc: "" }));
    box.append(b);
  }
}

async function runSearch(s) {
  const key = JSON.stringify([s.q, s.page, s.sort, s.from, s.to, s.year, s.source]);
  if (key === lastSearchKey) return; // coming back from an article: keep what is shown
  const seq = ++searchSeq;
  $("status").textContent = "正在搜索…";
  let r;
  try {
    r = await api("/search", {
      q: s.q, limit: PER_PAGE, offset: (s.page - 1) * PER_PAGE, sort: s.sort === "relevance" ? "" : s.sort,
      from: s.from, to: s.to, year: s.year, source: s.source, facets: "source,year", snippet_len: 160,
      histogram: interval(s), fragments: 2,
    });
  } catch (e) {
    if (seq !== searchSeq) return;
    lastSearchKey = "";
    $("results").replaceChildren();
    $("pager").hidden = true;
    $("status").textContent = "搜索出错：" + e.message;
    return;
  }
  if (seq !== searchSeq) return;
  lastSearchKey = key;
  const list = $("results");
  list.replaceChildren();
  for (const h of r.hits) {
    const a = el("a", { href: "?" + new URLSearchParams({ q: s.q, doc: h.id }), html: h.title_html });
    a.addEventListener("click", (ev) => {
      if (ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
      ev.preventDefault();
      go({ doc: h.id });
    });
    list.append(el("li", { class: "hit", "data-id": h.id },
      el("h3", {}, a), el("p", { class: "snip", html: h.snippet }), el("p", { class: "meta", text: fmtMeta(h) })));
  }
  const total = r.total, approx = r.total_exact ? "" : "约 ";
  $("status").textContent = total === 0
    ? "没有找到与“" + s.q + "”相关的新闻" + (r.warning ? "（" + r.warning + "）" : "")
    : "找到" + approx + total + " 条结果，用时 " + r.took_ms.toFixed(1) + " 毫秒" + (r.warning ? "（" + r.warning + "）" : "");
  const pages = Math.max(1, Math.ceil(Math.min(total, 10000 + PER_PAGE) / PER_PAGE));
  $("pager").hidden = total <= PER_PAGE && s.page === 1;
  $("prev").disabled = s.page <= 1;
  $("next").disabled = s.page >= pages;
  $("pageinfo").textContent = "第 " + s.page + " 页，共 " + pages + " 页";
  chips($("years"), r.facets && r.facets.year, "year", s.year);
  chips($("sources"), r.facets && r.facets.source, "source", s.source);
  timeline(r.histogram, s);
}

// ---- the timeline: when the matches were published ----
const DAY = 86400000;
function isoDay(t) { return new Date(t).toISOString().slice(0, 10); }
function utc(d) { return Date.parse(d + "T00:00:00Z"); }

// The histogram interval for a state: years, unless from/to narrow it.
function interval(s) {
  if (s.year) return "month";
  if (!s.from || !s.to) return "year";
  const days = (utc(s.to) - utc(s.from)) / DAY;
  return days <= 62 ? "day" : days <= 3 * 366 ? "month" : "year";
}

// The last day of the bucket of interval starting on start (ISO date).
function bucketEnd(start, iv) {
  const t = utc(start), d = new Date(t);
  if (iv === "day") return start;
  if (iv === "week") return isoDay(t + 6 * DAY);
  if (iv === "month") return isoDay(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) - DAY);
  return isoDay(Date.UTC(d.getUTCFullYear() + 1, 0, 1) - DAY);
}

function bucketLabel(start, iv) {
  if (iv === "year") return start.slice(0, 4) + " 年";
  if (iv === "month") return start.slice(0, 4) + " 年 " + Number(start.slice(5, 7)) + " 月";
  return start + (iv === "week" ? " 起一周" : "");
}

function timeline(h, s) {
  const box = $("chart"), fig = $("timeline");
  box.replaceChildren();
  const b = h && h.buckets ? h.buckets : [];
  fig.hidden = b.length < 2;
  if (fig.hidden) return;
  const NS = "http://www.w3.org/2000/svg", W = 600, H = 80, max = Math.max(1, ...b.map((x) => x.count));
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("viewBox", "0 0 " + W + " " + H);
  svg.setAttribute("preserveAspectRatio", "none");
  svg.setAttribute("role", "group");
  svg.setAttribute("aria-label", "按" + { day: "日", week: "周", month: "月", year: "年" }[h.interval] + "统计的结果数");
  const step = W / b.length, gap = step > 4 ? 1 : 0;
  b.forEach((x, i) => {
    const end = bucketEnd(x.start, h.interval);
    const a = document.createElementNS(NS, "a");
    a.setAttribute("href", "?" + new URLSearchParams({ q: s.q, from: x.start, to: end }));
    a.setAttribute("class", "bar-link");
    a.setAttribute("aria-label", bucketLabel(x.start, h.interval) + "：" + x.count + " 条");
    a.addEventListener("click", (ev) => {
      if (ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
      ev.preventDefault();
      go({ from: x.start, to: end, year: "", page: 1, doc: "" });
    });
    const hgt = x.count ? Math.max(2, (x.count / max) * (H - 2)) : 0;
    const hit = document.createElementNS(NS, "rect"); // the whole column takes the click
    hit.setAttribute("x", i * step); hit.setAttribute("y", 0);
    hit.setAttribute("width", step); hit.setAttribute("height", H);
    hit.setAttribute("class", "bar-hit");
    const bar = document.createElementNS(NS, "rect");
    bar.setAttribute("x", i * step + gap / 2); bar.setAttribute("y", H - hgt);
    bar.setAttribute("width", Math.max(0.5, step - gap)); bar.setAttribute("height", hgt);
    bar.setAttribute("class", "bar");
    const tip = document.createElementNS(NS, "title");
    tip.textContent = bucketLabel(x.start, h.interval) + "：" + x.count + " 条";
    a.append(tip, hit, bar);
    svg.append(a);
  });
  box.append(svg);
  const first = b[0].start, last = bucketEnd(b[b.length - 1].start, h.interval);
  $("chart-caption").textContent = first + " — " + last + "，最多 " + max + " 条" +
    (h.asked ? "（范围太长，已按" + { week: "周", month: "月", year: "年" }[h.interval] + "统计）" : "") +
    "；点击柱条按该时段筛选";
}

// ---- one article and its related articles ----
let docSeq = 0;

async function showDoc(s) {
  const seq = ++docSeq;
  const box = $("doc");
  $("doc-title").textContent = "正在载入…";
  $("doc-meta").textContent = "";
  $("doc-body").replaceChildren();
  $("related").replaceChildren();
  $("related-box").hidden = true;
  $("doc-link").hidden = true;
  let d;
  try {
    d = await api("/docs/" + encodeURIComponent(s.doc));
  } catch (e) {
    if (seq === docSeq) $("doc-title").textContent = "无法载入这篇文章：" + e.message;
    return;
  }
  if (seq !== docSeq) return;
  $("doc-title").textContent = d.title || "（无标题）";
  $("doc-meta").textContent = fmtMeta(d);
  if (typeof d.url === "string" && /^https?:\/\//i.test(d.url)) {
    $("doc-link").href = d.url;
    $("doc-link").hidden = false;
  }
  for (const para of String(d.body || "").split(/\n+/)) if (para.trim()) $("doc-body").append(el("p", { text: para.trim() }));
  box.focus();
  try {
    const r = await api("/docs/" + encodeURIComponent(s.doc) + "/related", { limit: 5 });
    if (seq !== docSeq) return;
    for (const h of r.related) {
      const a = el("a", { href: "?" + new URLSearchParams({ q: s.q, doc: h.id }), text: h.title || "（无标题）" });
      a.addEventListener("click", (ev) => {
        if (ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
        ev.preventDefault();
        go({ doc: h.id });
      });
      $("related").append(el("li", { class: "hit", "data-id": h.id },
        el("h3", {}, a), el("p", { class: "snip", html: h.snippet }), el("p", { class: "meta", text: fmtMeta(h) })));
    }
    $("related-box").hidden = r.related.length === 0;
  } catch (e) {
    /* related articles are a bonus: the article stays */
  }
}

// ---- suggestions as you type ----
let sugSeq = 0, sugTimer = 0, sugItems = [], sugPick = -1;

function closeSuggest() {
  clearTimeout(sugTimer); // and forget any suggestion still on its way
  sugSeq++;
  $("suggest").hidden = true;
  $("suggest").replaceChildren();
  $("q").setAttribute("aria-expanded", "false");
  $("q").removeAttribute("aria-activedescendant");
  sugItems = [];
  sugPick = -1;
}

function pickSuggest(i) {
  sugPick = i;
  sugItems.forEach((li, k) => li.setAttribute("aria-selected", k === i ? "true" : "false"));
  if (i >= 0) $("q").setAttribute("aria-activedescendant", sugItems[i].id);
}

async function suggest() {
  const text = $("q").value.trim();
  const seq = ++sugSeq;
  if (!text) return closeSuggest();
  let r;
  try {
    r = await api("/suggest", { q: text, limit: 8 });
  } catch (e) {
    return closeSuggest();
  }
  if (seq !== sugSeq || document.activeElement !== $("q")) return;
  closeSuggest();
  sugSeq = seq;
  r.suggestions.forEach((sg, i) => {
    const li = el("li", { role: "option", id: "sug-" + i, "aria-selected": "false", "data-id": sg.id, html: sg.html });
    li.addEventListener("mousedown", (ev) => ev.preventDefault()); // keep the focus in the box
    li.addEventListener("click", () => openSuggestion(i));
    sugItems.push(li);
    $("suggest").append(li);
  });
  if (sugItems.length) {
    $("suggest").hidden = false;
    $("q").setAttribute("aria-expanded", "true");
  }
}

function openSuggestion(i) {
  const id = sugItems[i].dataset.id, q = $("q").value.trim();
  closeSuggest();
  go({ q, page: 1, doc: id, year: "", source: "" });
}

// ---- wiring ----
function render() {
  const s = readState();
  $("q").value = s.q;
  $("sort").value = s.sort;
  $("from").value = s.from;
  $("to").value = s.to;
  const showDocView = !!s.doc;
  $("doc").hidden = !showDocView;
  $("list").hidden = showDocView;
  $("controls").hidden = !s.q;
  if (showDocView) showDoc(s);
  if (s.q) runSearch(s);
  else {
    lastSearchKey = "";
    $("results").replaceChildren();
    $("pager").hidden = true;
    $("status").textContent = "";
  }
  document.title = (s.q ? s.q + " - " : "") + "新闻检索 · idx";
}

function init() {
  $("search").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const q = $("q").value.trim();
    closeSuggest();
    if (q) go({ q, page: 1, doc: "", year: "", source: "" });
  });
  $("q").addEventListener("input", () => {
    clearTimeout(sugTimer);
    sugTimer = setTimeout(suggest, 120);
  });
  $("q").addEventListener("keydown", (ev) => {
    if (ev.key === "ArrowDown" && sugItems.length) {
      ev.preventDefault();
      pickSuggest((sugPick + 1) % sugItems.length);
    } else if (ev.key === "ArrowUp" && sugItems.length) {
      ev.preventDefault();
      pickSuggest(sugPick <= 0 ? sugItems.length - 1 : sugPick - 1);
    } else if (ev.key === "Enter" && sugPick >= 0) {
      ev.preventDefault();
      openSuggestion(sugPick);
    } else if (ev.key === "Escape" && !$("suggest").hidden) {
      ev.preventDefault(); // first Escape closes the list; the next clears the box
      closeSuggest();
    }
  });
  $("q").addEventListener("blur", () => setTimeout(closeSuggest, 150));
  $("sort").addEventListener("change", () => go({ sort: $("sort").value, page: 1, doc: "" }));
  $("from").addEventListener("change", () => go({ from: $("from").value, page: 1, doc: "" }));
  $("to").addEventListener("change", () => go({ to: $("to").value, page: 1, doc: "" }));
  $("clear").addEventListener("click", () => go({ from: "", to: "", year: "", source: "", page: 1, doc: "" }));
  $("prev").addEventListener("click", () => { go({ page: readState().page - 1 }); window.scrollTo(0, 0); });
  $("next").addEventListener("click", () => { go({ page: readState().page + 1 }); window.scrollTo(0, 0); });
  $("back").addEventListener("click", () => go({ doc: "" }));
  window.addEventListener("popstate", render);
  render();
  if (!readState().q && !readState().doc) $("q").focus();
}

init();
