package publishing

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"path"
	"slices"
	"strings"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/content"
	"github.com/torg-cms/torg/cms/store"
)

// MaxUpload bounds an uploaded image.
const MaxUpload = 5 << 20

// uploadTypes are the image types an upload may be. SVG is not among them:
// an uploaded SVG can carry script.
var uploadTypes = []string{"image/png", "image/jpeg", "image/webp", "image/gif"}

// Uploaded is a stored image and the address it is served at.
type Uploaded struct {
	URL         string
	ContentType string
	Size        int
}

// Upload stores an image a writer sent, under an address that cannot be
// guessed, with its audit entry. The type is read from the bytes, never
// taken from the sender, and the name is made safe.
func (s *Service) Upload(ctx context.Context, a Actor, filename string, data []byte) (Uploaded, error) {
	if !s.policy.May(a.Viewer, access.EditContent) {
		return Uploaded{}, s.needs("uploading", access.EditContent)
	}
	if len(data) > MaxUpload {
		return Uploaded{}, FieldErrors{"file": "the image is larger than 5 MB"}
	}
	ctype := http.DetectContentType(data)
	if !slices.Contains(uploadTypes, ctype) {
		return Uploaded{}, FieldErrors{"file": "only PNG, JPEG, WebP and GIF images (SVG can carry script)"}
	}
	name := safeName(filename, ctype)
	key := make([]byte, 12)
	rand.Read(key)
	m := &store.Media{Key: hex.EncodeToString(key), Name: name, ContentType: ctype, Data: data, UploadedBy: a.Subject, CreatedAt: s.clock.Now().UTC()}
	url := "/media/" + m.Key + "/" + name
	if err := s.audit.Record(ctx, a, "upload", url, "", func(tx *store.DB) error { return tx.SaveMedia(ctx, m) }); err != nil {
		return Uploaded{}, err
	}
	return Uploaded{URL: url, ContentType: ctype, Size: len(data)}, nil
}

// safeName makes a file name a slug (å→a, ö→o, …), whatever
// path the browser sent, and gives it the extension of its real type.
func safeName(name, ctype string) string {
	base := content.Slug(path.Base(strings.ReplaceAll(name, "\\", "/")))
	for _, ext := range []string{"-png", "-jpg", "-jpeg", "-webp", "-gif"} {
		base = strings.TrimSuffix(base, ext)
	}
	if base == "" {
		base = "bild"
	}
	ext := map[string]string{"image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp", "image/gif": ".gif"}[ctype]
	return base + ext
}

// Media is a stored image.
type Media struct {
	Key, Name, ContentType string
	Data                   []byte
}

// Media returns the image stored under key, or ErrNotFound.
func (s *Service) Media(ctx context.Context, key string) (Media, error) {
	m, err := s.db.MediaByKey(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return Media{}, ErrNotFound
	}
	if err != nil {
		return Media{}, err
	}
	return Media{Key: m.Key, Name: m.Name, ContentType: m.ContentType, Data: m.Data}, nil
}
