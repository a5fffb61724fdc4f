package search

import (
	"testing"
	"time"
)

// An index written by an earlier build keeps its fingerprints: the same
// doc hashes to the same value, so an upgrade does not index everything
// again.
func TestDocHashStable(t *testing.T) {
	d := Doc{ID: "page:/lon", Kind: "page", Type: "page", URL: "/lon", Title: "Lön", Body: "Lönen betalas den 25:e.",
		Keywords: []string{"lönedag"}, Lang: "sv", Audience: []string{"employee"}, Date: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)}
	if got, want := d.hash(), "2574ac6a6c8169ff"; got != want {
		t.Fatalf("hash %s, want %s", got, want)
	}
}
