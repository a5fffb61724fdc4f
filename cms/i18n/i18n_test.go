package i18n

import (
	"testing"
	"testing/fstest"
	"time"

	"github.com/torg-cms/torg/themes"
)

func TestThemeHasEveryStringInEveryLanguage(t *testing.T) {
	c, err := Load(themes.Default(), "i18n", "sv")
	if err != nil {
		t.Fatal(err)
	}
	if m := c.Missing(); len(m) > 0 {
		t.Fatalf("missing: %v", m)
	}
}

func TestMissingStringIsRefused(t *testing.T) {
	fsys := fstest.MapFS{
		"i18n/sv.yaml": {Data: []byte("a: A\nb: B\n")},
		"i18n/nb.yaml": {Data: []byte("a: A\nb: B\n")},
		"i18n/nn.yaml": {Data: []byte("a: A\n")},
		"i18n/en.yaml": {Data: []byte("a: A\nb: \"\"\n")},
	}
	_, err := Load(fsys, "i18n", "sv")
	if err == nil || err.Error() != "messages: missing translations: en: b; nn: b" {
		t.Fatalf("err = %v", err)
	}
}

func TestMatchAcceptLanguage(t *testing.T) {
	c, err := Load(themes.Default(), "i18n", "sv")
	if err != nil {
		t.Fatal(err)
	}
	for header, want := range map[string]string{
		"":                          "sv",
		"en-GB,en;q=0.8":            "en",
		"nb-NO":                     "nb",
		"no":                        "nb",
		"nn":                        "nn",
		"de-DE,de;q=0.9":            "sv",
		"de,nn;q=0.5,en;q=0.4":      "nn",
		"fi, sv-FI;q=0.8, en;q=0.5": "sv",
		";;;garbage":                "sv",
	} {
		if got := c.Match(header); got != want {
			t.Errorf("Match(%q) = %q, want %q", header, got, want)
		}
	}
}

func TestDates(t *testing.T) {
	c, _ := Load(themes.Default(), "i18n", "sv")
	d := time.Date(2026, 12, 24, 0, 0, 0, 0, time.UTC)
	for lang, want := range map[string]string{"sv": "24 december 2026", "nb": "24 desember 2026", "nn": "24 desember 2026", "en": "24 December 2026"} {
		if got := c.Date(lang, d); got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
	if got := c.Weekday("nn", time.Saturday); got != "laurdag" {
		t.Errorf("nn saturday = %q", got)
	}
}

// TestWhenCountsCalendarDays: a moment is named by calendar days from now
// in the given zone, so the night the clocks change is still one day.
func TestWhenCountsCalendarDays(t *testing.T) {
	c, err := Load(themes.Default(), "i18n", "sv")
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("Europe/Stockholm")
	sat := time.Date(2026, 10, 24, 20, 0, 0, 0, loc) // the clocks go back that night
	for _, tc := range []struct {
		t    time.Time
		want string
	}{
		{time.Date(2026, 10, 24, 22, 0, 0, 0, loc), "22:00"},
		{time.Date(2026, 10, 25, 8, 0, 0, 0, loc), "i morgon 08:00"},
		{time.Date(2026, 10, 26, 8, 0, 0, 0, loc), "måndag 08:00"},
		{time.Date(2026, 11, 7, 8, 0, 0, 0, loc), "7 november 2026 08:00"},
	} {
		if got := c.When("sv", tc.t, sat, loc); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.t, got, tc.want)
		}
	}
}
