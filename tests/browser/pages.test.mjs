// The web pages in headless Chromium against a real calvault server, which
// scripts/browser-tests starts with the users alice and bob. Changes made on the pages are
// checked over CalDAV, and changes made over CalDAV are checked on the pages.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";

const BASE = process.env.CALVAULT_URL;
const USERS = { alice: process.env.ALICE_PASSWORD, bob: process.env.BOB_PASSWORD };
const SHOTS = process.env.SCREENSHOTS;
const COLLECTION = "/dav/calendars/alice/calendar/";

let browser;
let alice; // alice's page, signed in
const today = new Date().toISOString().slice(0, 10);

function basic(user) {
  return "Basic " + Buffer.from(`${user}:${USERS[user]}`).toString("base64");
}

async function dav(method, path, body, headers = {}) {
  return fetch(BASE + path, { method, body, headers: { Authorization: basic("alice"), ...headers } });
}

/// The resources of alice's calendar over CalDAV: [{ href, data }].
async function davEvents() {
  const query = `<?xml version="1.0" encoding="utf-8"?>
<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">
  <d:prop><d:getetag/><c:calendar-data/></d:prop>
  <c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"/></c:comp-filter></c:filter>
</c:calendar-query>`;
  const answer = await dav("REPORT", COLLECTION, query, { Depth: "1", "Content-Type": "application/xml" });
  assert.equal(answer.status, 207);
  const text = await answer.text();
  const responses = [...text.matchAll(/<(?:\w+:)?response\b[^>]*>([\s\S]*?)<\/(?:\w+:)?response>/g)];
  return responses.map(([, inner]) => ({
    href: (inner.match(/<(?:\w+:)?href>([^<]+)</) || [])[1],
    data: (inner.match(/<(?:\w+:)?calendar-data[^>]*>([\s\S]*?)<\/(?:\w+:)?calendar-data>/) || [])[1] || "",
  }));
}

async function newPage(width = 1280) {
  const context = await browser.newContext({
    viewport: { width, height: 900 },
    locale: "en-GB",
    timezoneId: "UTC",
  });
  return context.newPage();
}

async function signIn(page, user) {
  await page.goto(BASE + "/");
  await page.fill("#name", user);
  await page.fill("#password", USERS[user]);
  await Promise.all([page.waitForURL(/\/agenda/), page.click("button[type=submit]")]);
}

function ics(events) {
  const body = events
    .map(([uid, title, day]) => `BEGIN:VEVENT\r\nUID:${uid}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:${day}T120000Z\r\nDTEND:${day}T130000Z\r\nSUMMARY:${title}\r\nEND:VEVENT\r\n`)
    .join("");
  return `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n${body}END:VCALENDAR\r\n`;
}

before(async () => {
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM, args: ["--no-sandbox"] });
  alice = await newPage();
});

after(async () => {
  await browser?.close();
});

test("sign-in refuses a wrong password, then opens the agenda", async () => {
  const page = await newPage();
  await page.goto(BASE + "/");
  await page.fill("#name", "alice");
  await page.fill("#password", "not the password");
  await page.click("button[type=submit]");
  await page.waitForSelector("#signin-error");
  assert.match(await page.textContent("#signin-error"), /Wrong user name or password/);
  await signIn(alice, "alice");
  assert.match(await alice.textContent("h1"), /\d{4}/);
  await page.context().close();
});

test("an event created on the page is read back over CalDAV", async () => {
  await alice.goto(`${BASE}/events/new?date=${today}`);
  await alice.fill("#title", "Dentist from the web");
  await alice.fill("#start_time", "09:30");
  await alice.fill("#end_time", "10:15");
  await alice.selectOption("#tz", "UTC");
  await alice.fill("#location", "Rue de la Paix");
  await alice.selectOption("#reminder", "15");
  await Promise.all([alice.waitForURL(/\/agenda/), alice.click("form.event-form button.primary")]);
  assert.ok(await alice.isVisible("text=Dentist from the web"));
  const found = (await davEvents()).find((e) => e.data.includes("Dentist from the web"));
  assert.ok(found, "the event is in the CalDAV collection");
  assert.match(found.data, new RegExp(`DTSTART:${today.replaceAll("-", "")}T093000Z`));
  assert.match(found.data, /TRIGGER:-PT15M/);
  const get = await dav("GET", found.href);
  assert.equal(get.status, 200);
});

test("an event deleted over CalDAV comes back from the trash page", async () => {
  const found = (await davEvents()).find((e) => e.data.includes("Dentist from the web"));
  assert.equal((await dav("DELETE", found.href)).status, 204);
  assert.equal((await dav("GET", found.href)).status, 404);
  await alice.goto(BASE + "/trash");
  await alice.locator("li", { hasText: "Dentist from the web" }).locator("input[type=checkbox]").check();
  await Promise.all([alice.waitForURL(/restored=1/), alice.click("text=Restore selected")]);
  assert.match(await alice.textContent(".notice"), /1 event\(s\) restored/);
  assert.equal((await dav("GET", found.href)).status, 200);
});

test("back up, change, preview and run a restore, then undo it", async () => {
  await alice.goto(BASE + "/backups");
  await Promise.all([alice.waitForURL(/done=snapshot/), alice.click("text=Back up now")]);
  const added = `${COLLECTION}after-backup.ics`;
  const put = await dav("PUT", added, ics([["after-backup", "Added after the backup", today.replaceAll("-", "")]]), {
    "Content-Type": "text/calendar",
  });
  assert.equal(put.status, 201);
  await alice.goto(BASE + "/backups");
  await alice.locator("tbody tr").first().locator("text=Restore…").click();
  await alice.waitForSelector("text=Restore this snapshot?");
  assert.ok(await alice.isVisible("text=Will be removed (to the trash)"));
  assert.ok(await alice.isVisible("li >> text=Added after the backup"));
  await alice.click("text=Restore now");
  await alice.waitForSelector("text=Undo this restore");
  assert.equal((await dav("GET", added)).status, 404, "the restore removed the newer event");
  await alice.click("text=Undo this restore");
  await alice.waitForSelector(".notice");
  assert.equal((await dav("GET", added)).status, 200, "undoing brought it back");
});

test("an import previews duplicates as skipped, then imports the rest", async () => {
  const day = today.replaceAll("-", "");
  const first = ics([["imp-1", "Imported one", day], ["imp-2", "Imported two", day]]);
  const second = ics([["imp-1", "Imported one", day], ["imp-2", "Imported two", day], ["imp-3", "Imported three", day]]);
  for (const [file, expected] of [[first, { created: "2", duplicates: "0" }], [second, { created: "1", duplicates: "2" }]]) {
    await alice.goto(BASE + "/import");
    await alice.setInputFiles("#file", { name: "agenda.ics", mimeType: "text/calendar", buffer: Buffer.from(file) });
    await alice.waitForFunction(() => document.getElementById("ics").value.includes("BEGIN:VCALENDAR"));
    await alice.click("button[value=preview]");
    await alice.waitForSelector("text=What the import will do");
    assert.equal(await alice.textContent("dd[data-count=created]"), expected.created);
    assert.equal(await alice.textContent("dd[data-count=duplicates]"), expected.duplicates);
    await alice.click("button[value=import]");
    await alice.waitForSelector("#report-title:has-text('Imported.')");
    assert.equal(await alice.textContent("dd[data-count=duplicates]"), expected.duplicates);
  }
  const titles = (await davEvents()).map((e) => e.data).join("\n");
  for (const title of ["Imported one", "Imported two", "Imported three"]) {
    const count = (titles.match(new RegExp(`SUMMARY:${title}(?![a-z])`, "g")) || []).length;
    assert.equal(count, 1, `${title} once over CalDAV`);
  }
});

test("another user cannot reach alice's pages or objects by changing ids", async () => {
  await alice.goto(`${BASE}/agenda`);
  const eventHref = await alice.locator(".occurrence a", { hasText: "Dentist from the web" }).first().getAttribute("href");
  await alice.goto(BASE + "/backups");
  const snapshotHref = await alice.locator("tbody tr").first().locator("text=Restore…").getAttribute("href");
  const calendarId = eventHref.split("/")[2];
  const bob = await newPage();
  await signIn(bob, "bob");
  for (const path of [eventHref, `/backups?calendar=${calendarId}`, snapshotHref, snapshotHref.replace("restore", "download")]) {
    const answer = await bob.goto(BASE + path);
    assert.equal(answer.status(), 404, path);
    assert.ok(!(await bob.content()).includes("Dentist from the web"), path);
  }
  await bob.goto(BASE + "/agenda");
  assert.ok(!(await bob.content()).includes("Dentist from the web"));
  await bob.context().close();
});

let historyPath; // the history page of an event, for the screenshots

test("duplicates: the merge is previewed, then run with an undo link", async () => {
  const day = today.replaceAll("-", "");
  const twin = (uid) => ics([[uid, "Twin meeting", day]]);
  for (const uid of ["twin-a", "twin-b"]) {
    const put = await dav("PUT", `${COLLECTION}${uid}.ics`, twin(uid), { "Content-Type": "text/calendar" });
    assert.equal(put.status, 201);
  }
  await alice.goto(BASE + "/duplicates");
  await alice.waitForSelector("text=Groups of duplicates");
  assert.ok(await alice.isVisible("li.group >> text=Twin meeting"));
  assert.equal((await dav("GET", `${COLLECTION}twin-b.ics`)).status, 200, "the preview changes nothing");
  await alice.click("text=Merge now");
  await alice.waitForSelector(".notice");
  assert.match(await alice.textContent(".notice"), /1 duplicate\(s\) moved to the trash/);
  assert.ok(await alice.isVisible("text=Undo the merge"));
  const left = [];
  for (const uid of ["twin-a", "twin-b"]) left.push((await dav("GET", `${COLLECTION}${uid}.ics`)).status);
  assert.deepEqual(left.sort(), [200, 404], "one copy stays, the other went to the trash");
});

test("archive: events that ended before a date are previewed, then moved", async () => {
  const put = await dav("PUT", `${COLLECTION}ancient.ics`, ics([["ancient", "Ancient seminar", "20190304"]]), {
    "Content-Type": "text/calendar",
  });
  assert.equal(put.status, 201);
  await alice.goto(BASE + "/archive");
  await alice.fill("#before", "2020-01-01");
  await Promise.all([alice.waitForURL(/before=2020-01-01/), alice.click("text=Preview")]);
  assert.equal(await alice.textContent("[data-count=moved]"), "1");
  assert.ok(await alice.isVisible("li >> text=Ancient seminar"));
  assert.equal((await dav("GET", `${COLLECTION}ancient.ics`)).status, 200, "the preview changes nothing");
  await alice.click("text=Archive now");
  await alice.waitForSelector(".notice");
  assert.match(await alice.textContent(".notice"), /1 event\(s\) moved to the archive/);
  assert.equal((await dav("GET", `${COLLECTION}ancient.ics`)).status, 404);
  assert.equal((await dav("GET", "/dav/calendars/alice/archive/ancient.ics")).status, 200);
});

test("history: an old version is restored, then the restore is undone", async () => {
  const href = `${COLLECTION}history.ics`;
  const day = today.replaceAll("-", "");
  for (const title of ["History first", "History second"]) {
    const put = await dav("PUT", href, ics([["history-uid", title, day]]), { "Content-Type": "text/calendar" });
    assert.ok([201, 204].includes(put.status), `PUT ${title}: ${put.status}`);
  }
  await alice.goto(`${BASE}/agenda`);
  const eventHref = await alice.locator(".occurrence a", { hasText: "History second" }).first().getAttribute("href");
  await alice.goto(BASE + eventHref);
  await alice.click("a[href^='/history/']");
  await alice.waitForSelector("h1:has-text('History')");
  historyPath = new URL(alice.url()).pathname;
  await alice.locator("ol.history > li", { hasText: "History first" }).locator("text=View").click();
  await alice.waitForSelector("text=Version of");
  assert.ok(await alice.isVisible("dd >> text=History first"));
  await alice.click("text=Restore this version");
  await alice.waitForSelector(".notice:has-text('Version restored.')");
  assert.match(await (await dav("GET", href)).text(), /SUMMARY:History first/);
  await alice.click("text=Undo this restore");
  await alice.waitForSelector(".notice:has-text('Version restored.')");
  assert.match(await (await dav("GET", href)).text(), /SUMMARY:History second/);
  const bob = await newPage();
  await signIn(bob, "bob");
  const answer = await bob.goto(BASE + historyPath);
  assert.equal(answer.status(), 404);
  await bob.context().close();
});

test("screenshots of the main pages at 360 px and 1280 px", async () => {
  const pages = [
    ["agenda-list", "/agenda"],
    ["agenda-month", "/agenda?view=month"],
    ["agenda-week", "/agenda?view=week"],
    ["event-form", `/events/new?date=${today}`],
    ["trash", "/trash"],
    ["backups", "/backups"],
    ["import", "/import"],
    ["calendars", "/calendars"],
    ["devices", "/devices"],
    ["duplicates", "/duplicates"],
    ["archive", "/archive?before=2020-01-01"],
  ];
  if (historyPath) pages.push(["history", historyPath]);
  for (const width of [360, 1280]) {
    const page = await newPage(width);
    await page.goto(BASE + "/");
    await page.screenshot({ path: `${SHOTS}/signin-${width}.png`, fullPage: true });
    await signIn(page, "alice");
    for (const [name, path] of pages) {
      await page.goto(BASE + path);
      await page.screenshot({ path: `${SHOTS}/${name}-${width}.png`, fullPage: true });
    }
    await page.context().close();
  }
});

// SyncML as a phone speaks it (plain XML, auth-basic), to make real held mass deletions.
const SYNCML_TYPE = "application/vnd.syncml+xml";

function syncmlMessage(device, session, msg, target, body) {
  const credentials = Buffer.from(`alice:${USERS.alice}`).toString("base64");
  return `<SyncML xmlns='SYNCML:SYNCML1.2'><SyncHdr><VerDTD>1.2</VerDTD><VerProto>SyncML/1.2</VerProto>`
    + `<SessionID>${session}</SessionID><MsgID>${msg}</MsgID><Target><LocURI>${target}</LocURI></Target>`
    + `<Source><LocURI>${device}</LocURI><LocName>alice</LocName></Source>`
    + `<Cred><Meta><Type xmlns='syncml:metinf'>syncml:auth-basic</Type><Format xmlns='syncml:metinf'>b64</Format></Meta>`
    + `<Data>${credentials}</Data></Cred></SyncHdr><SyncBody>${body}<Final/></SyncBody></SyncML>`;
}

async function postSyncml(path, xml) {
  const answer = await fetch(BASE + path, { method: "POST", body: xml, headers: { "Content-Type": SYNCML_TYPE } });
  assert.equal(answer.status, 200, `POST ${path}`);
  return answer.text();
}

/// One whole SyncML session of `device` on `datastore`: the Alert (201 slow, 200 two-way)
/// with its anchors, the Sync with `changes` ([["add", n, title]] or [["delete", n]]), and the
/// closing message. Returns the server's answer to the Sync.
async function syncSession({ device, session, datastore, alert, last, next, changes }) {
  const anchor = `${last ? `<Last>${last}</Last>` : ""}<Next>${next}</Next>`;
  const first = await postSyncml("/syncml", syncmlMessage(device, session, 1, `${BASE}/syncml`,
    `<Alert><CmdID>1</CmdID><Data>${alert}</Data><Item><Target><LocURI>${datastore}</LocURI></Target>`
    + `<Source><LocURI>./cal</LocURI></Source><Meta><Anchor xmlns='syncml:metinf'>${anchor}</Anchor></Meta></Item></Alert>`));
  const granted = first.match(/<Alert>[\s\S]*?<Data>(\d+)<\/Data>/);
  assert.equal(granted?.[1], String(alert), `the server accepts the ${alert} sync: ${first}`);
  const sessionId = first.match(/\?sessionid=([^<&]+)</)[1];
  const path = `/syncml?sessionid=${sessionId}`;
  const commands = changes.map(([kind, n, title], index) => {
    const id = index + 3;
    if (kind === "delete") {
      return `<Delete><CmdID>${id}</CmdID><Item><Source><LocURI>item-${n}</LocURI></Source></Item></Delete>`;
    }
    const day = String(n).padStart(2, "0");
    const event = `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//phone//EN\r\nBEGIN:VEVENT\r\nUID:${device}-${n}\r\n`
      + `DTSTAMP:20260101T000000Z\r\nDTSTART:202604${day}T080000Z\r\nDTEND:202604${day}T090000Z\r\n`
      + `SUMMARY:${title}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n`;
    return `<Add><CmdID>${id}</CmdID><Meta><Type xmlns='syncml:metinf'>text/calendar</Type></Meta>`
      + `<Item><Source><LocURI>item-${n}</LocURI></Source><Data><![CDATA[${event}]]></Data></Item></Add>`;
  }).join("");
  const reply = await postSyncml(path, syncmlMessage(device, session, 2, `${BASE}${path}`,
    `<Sync><CmdID>2</CmdID><Target><LocURI>${datastore}</LocURI></Target><Source><LocURI>./cal</LocURI></Source>${commands}</Sync>`));
  await postSyncml(path, syncmlMessage(device, session, 3, `${BASE}${path}`, ""));
  return reply;
}

/// The SUMMARYs of a calendar of alice over CalDAV.
async function davSummaries(calendar) {
  const query = `<?xml version="1.0" encoding="utf-8"?>
<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">
  <d:prop><c:calendar-data/></d:prop>
  <c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"/></c:comp-filter></c:filter>
</c:calendar-query>`;
  const answer = await dav("REPORT", `/dav/calendars/alice/${calendar}/`, query, { Depth: "1", "Content-Type": "application/xml" });
  assert.equal(answer.status, 207);
  return [...(await answer.text()).matchAll(/SUMMARY:([^\r\n<&]+)/g)].map(([, title]) => title.trim()).sort();
}

/// A phone adds 20 events to a calendar of its own (slow sync), then deletes 15 of them in
/// one two-way sync: more than the guard allows, so the deletions are held.
async function holdMassDeletion(device, calendar, label) {
  assert.equal((await dav("MKCALENDAR", `/dav/calendars/alice/${calendar}/`)).status, 201);
  const titles = Array.from({ length: 20 }, (_, i) => `${label} ${String(i + 1).padStart(2, "0")}`);
  const datastore = `calendar/${calendar}`;
  await syncSession({ device, session: 1, datastore, alert: 201, next: "a1", changes: titles.map((t, i) => ["add", i + 1, t]) });
  assert.equal((await davSummaries(calendar)).length, 20, "the slow sync stored the 20 events");
  await syncSession({ device, session: 2, datastore, alert: 200, last: "a1", next: "a2",
    changes: titles.slice(0, 15).map((_, i) => ["delete", i + 1]) });
  assert.equal((await davSummaries(calendar)).length, 20, "the 15 deletions are held, not applied");
  return titles;
}

test("held mass deletions from a SyncML phone are kept or applied from the page", async () => {
  const kept = await holdMassDeletion("browser-phone-keep", "held-keep", "Keep me");
  await alice.goto(BASE + "/alerts");
  await Promise.all([alice.waitForURL(/\/held$/), alice.locator("a", { hasText: "Review held deletions" }).first().click()]);
  const batch = alice.locator("section.held", { hasText: "browser-phone-keep wants to delete 15 event(s)" });
  await batch.waitFor();
  await alice.screenshot({ path: `${SHOTS}/held-1280.png`, fullPage: true });
  for (const title of kept.slice(0, 15)) assert.ok(await batch.locator("li", { hasText: title }).isVisible(), title);
  assert.equal(await batch.locator("li", { hasText: kept[15] }).count(), 0, "an event it keeps is not listed");
  await Promise.all([alice.waitForURL(/kept=15/), batch.locator("button", { hasText: "Keep the events" }).click()]);
  assert.match(await alice.textContent(".notice"), /15 event\(s\) kept/);
  assert.equal(await alice.locator("section.held", { hasText: "browser-phone-keep" }).count(), 0);
  assert.deepEqual(await davSummaries("held-keep"), kept, "every event is still there");
  // The phone's next sync gets the kept events back.
  const back = await syncSession({ device: "browser-phone-keep", session: 3, datastore: "calendar/held-keep",
    alert: 200, last: "a2", next: "a3", changes: [] });
  assert.equal((back.match(/<Add>/g) || []).length, 15, "the 15 kept events go back to the phone");

  const applied = await holdMassDeletion("browser-phone-apply", "held-apply", "Drop me");
  await alice.goto(BASE + "/devices");
  await Promise.all([alice.waitForURL(/\/held$/), alice.locator("a", { hasText: "Review held deletions (1)" }).click()]);
  const second = alice.locator("section.held", { hasText: "browser-phone-apply wants to delete 15 event(s)" });
  assert.ok(await second.locator("li", { hasText: applied[0] }).isVisible());
  await Promise.all([alice.waitForURL(/applied=15/), second.locator("button", { hasText: "Apply the deletions" }).click()]);
  assert.match(await alice.textContent(".notice"), /15 event\(s\) deleted/);
  assert.deepEqual(await davSummaries("held-apply"), applied.slice(15), "only the 5 it kept remain");
  await alice.goto(BASE + "/trash");
  for (const title of [applied[0], applied[14]]) assert.ok(await alice.isVisible(`li >> text=${title}`), `${title} in the trash`);
});

test("a task is marked done from the list and edited, as CalDAV then reads it", async () => {
  const href = `${COLLECTION}task-from-list.ics`;
  const due = today.replaceAll("-", "");
  const todo = `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VTODO\r\nUID:task-from-list\r\n`
    + `DTSTAMP:20260101T000000Z\r\nSUMMARY:Renew the passport\r\nDUE;VALUE=DATE:${due}\r\nSTATUS:NEEDS-ACTION\r\nEND:VTODO\r\nEND:VCALENDAR\r\n`;
  assert.equal((await dav("PUT", href, todo, { "Content-Type": "text/calendar" })).status, 201);
  await alice.goto(`${BASE}/agenda?view=list&date=${today}`);
  const task = alice.locator("li.task", { hasText: "Renew the passport" });
  await Promise.all([alice.waitForURL(/view=list/), task.locator("button", { hasText: "Mark done" }).click()]);
  assert.match(await alice.locator("li.task", { hasText: "Renew the passport" }).getAttribute("class"), /\bdone\b/);
  assert.match(await (await dav("GET", href)).text(), /STATUS:COMPLETED/);
  await alice.locator("li.task", { hasText: "Renew the passport" }).locator("a", { hasText: "Edit task" }).click();
  await alice.waitForSelector("h1:has-text('Edit task')");
  await alice.fill("#title", "");
  await alice.fill("#title", "Renew both passports");
  await alice.fill("#due_time", "16:30");
  await alice.selectOption("#tz", "Europe/Paris");
  await Promise.all([alice.waitForURL(/\/agenda/), alice.click("form.task-form button.primary")]);
  const data = await (await dav("GET", href)).text();
  assert.match(data, /SUMMARY:Renew both passports/);
  assert.match(data, new RegExp(`DUE;TZID=Europe/Paris:${due}T163000`));
  assert.match(data, /BEGIN:VTIMEZONE\r\nTZID:Europe\/Paris/);
  assert.match(data, /STATUS:COMPLETED/, "editing keeps it done");
});
