package api

import "mime"

// ContentDisposition returns a Content-Disposition value (disposition "attachment" or
// "inline") that names filename for every client: a filename= parameter with an ASCII
// fallback for old clients, and filename* in UTF-8 with the exact name percent-encoded as an
// RFC 5987 ext-value (only attr-chars stay as they are). The API's downloads and the pages'
// inline PDFs build the header here (or with rfc5987), so there is one encoder.
func ContentDisposition(disposition, filename string) string {
	return mime.FormatMediaType(disposition, map[string]string{"filename": asciiFallback(filename)}) +
		"; filename*=UTF-8''" + rfc5987(filename)
}
