// Package e2e holds dealgate's end-to-end tests: the real server (storage, API, audit service
// and web pages, on SQLite in a temporary directory, and on PostgreSQL when
// DEALGATE_TEST_POSTGRES names a server) on a real listener, driven by headless Chromium
// through chromedp as people use it — an administrator sets the company up, a rep takes a deal
// from the first call to the contract, the back office makes the specification and the
// invoice and records the payment, an auditor checks the trail, and another rep is shown the
// door.
//
// The browser test needs Chromium (Debian's package: /usr/lib/chromium/chromium, or chromium
// on the PATH) and pdftotext (poppler-utils). Without Chromium it is skipped, unless CI=true,
// where it fails; without pdftotext it fails. Screenshots of the main pages, at 1366×768 and at a tablet's 1024×768, are
// saved under $DEALGATE_TEST_ARTIFACTS (default: e2e/screenshots, ignored by git), one folder
// per database.
//
// Subpackage standin makes plain templates for document kinds whose shipped templates do not
// render yet; the administrator of the test uploads them through the templates page.
package e2e
