// Package content is the demo site shipped in the binary: a fictional
// municipality's staff portal, written in Markdown.
package content

import "embed"

// Files is the demo site's Markdown and the files beside it.
//
//go:embed all:*
var Files embed.FS
