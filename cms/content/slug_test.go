package content

import "testing"

func TestSlug(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Glömt lösenord?", "glomt-losenord"},
		{"  Vad är OB-tillägg?  ", "vad-ar-ob-tillagg"},
		{"Smörgåstårta", "smorgastarta"},
		{"å ä ö", "a-a-o"},
		{"Å Ä Ö", "a-a-o"},
		{"Søknadsfrist og lønn", "soknadsfrist-og-lonn"},
		{"Æ Ø Å", "ae-o-a"},
		{"blåbærsyltetøy", "blabaersyltetoy"},
		{"Café Müller, naïve façade", "cafe-muller-naive-facade"},
		{"Straße", "strasse"},
		{"2026: år för förändring", "2026-ar-for-forandring"},
		{"bild_1.PNG", "bild-1-png"},
		{"Привет мир", ""},
		{"!!!", ""},
		{"", ""},
	} {
		if got := Slug(c.in); got != c.want {
			t.Errorf("Slug(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
