package web

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"io"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/andybalholm/brotli"

	"github.com/torg-cms/torg/cms/content"
	"github.com/torg-cms/torg/cms/feedback"
	"github.com/torg-cms/torg/cms/publishing"
	"github.com/torg-cms/torg/cms/store/storetest"
)

// bombSize is how many zeros each compressed body unfolds to.
const bombSize = 64 << 20

// compressZeros writes n zeros through the compressor that wrap makes.
func compressZeros(t *testing.T, n int, wrap func(io.Writer) io.WriteCloser) []byte {
	t.Helper()
	var out bytes.Buffer
	w := wrap(&out)
	zeros := make([]byte, 1<<20)
	for ; n > 0; n -= len(zeros) {
		if _, err := w.Write(zeros[:min(n, len(zeros))]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func gzipOf(t *testing.T, data []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	w, _ := gzip.NewWriterLevel(&out, gzip.BestCompression)
	w.Write(data)
	w.Close()
	return out.Bytes()
}

// TestCompressedBodiesRefusedBeforeDecoding sends bodies of a few hundred
// kilobytes that unfold to 64 MB (or, twice compressed, from under 2 KB),
// to every kind of route: memory stays bounded and the answer is 415.
func TestCompressedBodiesRefusedBeforeDecoding(t *testing.T) {
	db := storetest.SQLite(t)
	f := newFixture(t, monday10, func(d *Deps) {
		*d = withStore(db, *d)
		d.Publishing = publishing.New(db, d.Clock, quietLog(), content.Options{DefaultLang: "sv"}, d.Sites)
		d.Feedback = feedback.New(db, d.Clock, quietLog(), 5, time.Minute)
	})
	gz := compressZeros(t, bombSize, func(w io.Writer) io.WriteCloser { z, _ := gzip.NewWriterLevel(w, gzip.BestCompression); return z })
	bombs := []struct {
		name, encoding string
		body           []byte
	}{
		{"gzip", "gzip", gz},
		{"double gzip", "gzip, gzip", gzipOf(t, gz)},
		{"double gzip on two lines", "gzip\ngzip", gzipOf(t, gz)},
		{"br", "br", compressZeros(t, bombSize, func(w io.Writer) io.WriteCloser { return brotli.NewWriterLevel(w, 5) })},
		{"deflate", "deflate", compressZeros(t, bombSize, func(w io.Writer) io.WriteCloser { z, _ := zlib.NewWriterLevel(w, zlib.BestCompression); return z })},
		{"upper case", "GZIP", gz},
		{"after identity", "identity, gzip", gz},
	}
	routes := []struct{ method, path, ctype string }{
		{"POST", "/healthz", "application/json"},
		{"POST", "/api/v1/feedback", "application/json"},
		{"POST", "/feedback", "application/x-www-form-urlencoded"},
		{"POST", "/api/v1/admin/media", "multipart/form-data; boundary=x"},
		{"POST", "/redaktion/media", "multipart/form-data; boundary=x"},
		{"PUT", "/api/v1/admin/items/1", "application/json"},
	}
	for _, b := range bombs {
		for _, r := range routes {
			req := httptest.NewRequest(r.method, r.path, bytes.NewReader(b.body))
			req.Header.Set("Content-Type", r.ctype)
			for _, line := range strings.Split(b.encoding, "\n") {
				req.Header.Add("Content-Encoding", line)
			}
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			res, err := f.srv.App().Test(req, -1)
			if err != nil {
				t.Fatal(err)
			}
			msg, _ := io.ReadAll(res.Body)
			res.Body.Close()
			runtime.ReadMemStats(&after)
			grew := after.TotalAlloc - before.TotalAlloc
			if grew > 20<<20 {
				t.Errorf("%s %s with %s (%d bytes sent): %d MB allocated", r.method, r.path, b.name, len(b.body), grew>>20)
			}
			if res.StatusCode != 415 {
				t.Errorf("%s %s with %s: status %d, want 415: %.200s", r.method, r.path, b.name, res.StatusCode, msg)
			}
		}
	}
	// An uncompressed body still goes through, and an oversized one is still 413.
	req := httptest.NewRequest("POST", "/api/v1/feedback", strings.NewReader(`{"path": "/", "helpful": true}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Content-Encoding", "identity")
	if res, err := f.srv.App().Test(req, -1); err != nil || res.StatusCode >= 400 {
		t.Fatalf("plain feedback: %v %v", res.StatusCode, err)
	}
	req = httptest.NewRequest("POST", "/api/v1/feedback", bytes.NewReader(make([]byte, 2<<20)))
	req.Header.Set("Content-Type", "application/json")
	if res, err := f.srv.App().Test(req, -1); err != nil || res.StatusCode != 413 {
		t.Fatalf("2 MB feedback: %v %v", res.StatusCode, err)
	}
}
