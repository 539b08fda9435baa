package web

import "fmt"

// AddMessages adds interface texts (key → {Russian, English}) for pages that other packages or
// files contribute (training, statistics, …), so that they keep their texts in their own map
// instead of editing i18n.go. Call it from an init function: the messages are read without a
// lock while pages are served. A key that already exists with a different text panics, so that
// two contributors cannot silently overwrite each other's wording.
func AddMessages(m map[string][2]string) {
	for k, v := range m {
		if old, ok := messages[k]; ok && old != v {
			panic(fmt.Sprintf("web: message %q is defined twice: %q and %q", k, old, v))
		}
		messages[k] = v
	}
}
