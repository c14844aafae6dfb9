// Drives the search page of a running recapsearch-server in Debian's
// chromium: types a query, waits for results, checks highlighted snippets,
// deep links, completions, keyboard navigation and a facet filter, and
// saves a screenshot.  Usage: node search.mjs URL BASE_URL OUTPUT_DIR
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

const [url, baseUrl, outDir] = process.argv.slice(2);
let passed = 0, failed = 0;
function check(what, ok, detail = "") {
  if (ok) { passed++; console.log(`ok: ${what}`); }
  else { failed++; console.log(`FAIL: ${what} ${detail}`); }
}

mkdirSync(outDir, { recursive: true });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  // Without the networking flags chromium keeps trying to reach its
  // services, which this closed network refuses.
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update",
         "--disable-sync"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 1000 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(url + "/", { waitUntil: "load" });
  check("page title", (await page.title()) === "Search");

  const input = page.locator("#q");
  await input.click();
  await input.pressSequentially("multi-cluster fail", { delay: 40 });
  const chipsSeen = await page.waitForFunction(
    () => [...document.querySelectorAll(".rs-sugg .rs-chip")]
      .map((c) => c.textContent).find((t) => /multi-cluster failover/.test(t)),
    null, { timeout: 5000 }).then((h) => h.jsonValue()).catch(() => "");
  check("completions of the partial word", chipsSeen !== "");
  await input.pressSequentially("over", { delay: 40 });
  await page.waitForFunction(
    () => document.querySelector(".rs-count") &&
          /result/.test(document.querySelector(".rs-count").textContent) &&
          document.querySelectorAll(".rs-results .rs-hit").length > 0 &&
          location.search.includes("failover"),
    null, { timeout: 5000 });

  const first = page.locator(".rs-results .rs-hit").first();
  const title = await first.locator(".rs-title").textContent();
  check("first hit is the failover post", /failover/i.test(title), title);
  const href = await first.locator(".rs-title").getAttribute("href");
  check("result link uses the base URL", href === baseUrl + "/blog/2025/multi-cluster-failover/", href);
  const marks = await page.locator(".rs-results .rs-snip mark").allTextContents();
  check("highlighted snippets", marks.length > 0 &&
        marks.every((m) => /multi|cluster|fail/i.test(m)), JSON.stringify(marks));
  const deep = await page.locator(".rs-results a.rs-deep").evaluateAll(
    (as) => as.map((a) => a.getAttribute("href")));
  check("deep link to a section", deep.some((h) => h.startsWith(baseUrl + "/") && /#[\w-]+$/.test(h)),
        JSON.stringify(deep));

  await input.press("ArrowDown");
  check("keyboard navigation", (await page.locator(".rs-active").count()) === 1);

  // A facet: pick a section other than the first hit's when there is one.
  const facets = await page.locator(".rs-facets .rs-chip").evaluateAll(
    (bs) => bs.map((b) => b.dataset.facet));
  check("facet filters shown", facets.length > 0, JSON.stringify(facets));
  const badge = await first.locator(".rs-badge").textContent();
  const want = facets.find((f) => f !== badge) || facets[0];
  await page.locator(`.rs-facets .rs-chip[data-facet="${want}"]`).dispatchEvent("mousedown");
  await page.waitForFunction(
    (w) => {
      const on = document.querySelector(".rs-facets .rs-on");
      return on && on.dataset.facet === w;
    }, want, { timeout: 5000 });
  const sections = await page.locator(".rs-results .rs-badge").allTextContents();
  check(`facet '${want}' filters the results`,
        sections.length > 0 && sections.every((s) => s === want), JSON.stringify(sections));
  // Back to all sections for the screenshot.
  await page.locator(`.rs-facets .rs-chip[data-facet="${want}"]`).dispatchEvent("mousedown");
  await page.waitForFunction(() => !document.querySelector(".rs-facets .rs-on"), null,
                             { timeout: 5000 });
  await input.press("ArrowDown");
  check("no script errors", errors.length === 0, errors.join("; "));
  const shot = join(outDir, "search.png");
  await page.screenshot({ path: shot, fullPage: true });
  console.log(`screenshot: ${shot}`);
} catch (e) {
  failed++;
  console.log(`FAIL: ${e.message}`);
} finally {
  await browser.close();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
