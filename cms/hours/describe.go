package hours

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Words are the phrases a description is written in, from the theme's catalog.
type Words interface {
	T(lang, key string, args ...any) string
	Weekday(lang string, d time.Weekday) string
	Date(lang string, t time.Time) string
	When(lang string, t, now time.Time, loc *time.Location) string
}

// Description is a schedule told to a reader: open or closed now and
// until when, the weekly table and the coming exceptions.
type Description struct {
	Open            bool
	Status          string
	Note            string
	ChangesAt       time.Time
	Rows            []Row
	Exceptions      []Row
	ExceptionsTitle string
}

// Row is one line of an opening-hours table.
type Row struct {
	Days  string
	Hours string
}

// Describe says "open now, closes 16:00" or "closed, opens Monday 08:00"
// in lang, and lays out the weekly table and the exceptions of the next 30 days.
func Describe(w Words, lang string, sched *Schedule, now time.Time, loc *time.Location) *Description {
	st := sched.At(now, loc)
	d := &Description{Open: st.Open, Note: st.Note, ChangesAt: st.Change, ExceptionsTitle: w.T(lang, "contact.exceptions")}
	switch {
	case st.Open && st.Change.IsZero():
		d.Status = w.T(lang, "contact.open_always")
	case st.Open:
		d.Status = w.T(lang, "contact.open_until", w.When(lang, st.Change, now, loc))
	case st.Change.IsZero():
		d.Status = w.T(lang, "contact.closed")
	default:
		d.Status = w.T(lang, "contact.closed_until", w.When(lang, st.Change, now, loc))
	}
	for _, wk := range sched.Spec().Weekly {
		h := strings.ReplaceAll(strings.ReplaceAll(wk.Hours, "-", "–"), ",", ", ")
		h = strings.Join(strings.Fields(h), " ")
		if strings.TrimSpace(wk.Hours) == "00:00-24:00" {
			h = w.T(lang, "contact.all_day")
		}
		if wk.Lunch != "" {
			h += " (" + w.T(lang, "contact.lunch", strings.ReplaceAll(wk.Lunch, "-", "–")) + ")"
		}
		d.Rows = append(d.Rows, Row{Days: daysText(w, lang, wk.Days), Hours: h})
	}
	for _, e := range sched.Upcoming(now, loc, 30) {
		days := isoDate(w, lang, e.Date, loc)
		if e.Date == "" {
			days = isoDate(w, lang, e.From, loc) + " – " + isoDate(w, lang, e.To, loc)
		}
		h := w.T(lang, "contact.closed_day")
		if !e.Closed {
			h = strings.ReplaceAll(e.Hours, "-", "–")
		}
		if e.Note != "" {
			h += " (" + e.Note + ")"
		}
		d.Exceptions = append(d.Exceptions, Row{Days: days, Hours: h})
	}
	return d
}

func isoDate(w Words, lang, d string, loc *time.Location) string {
	t, err := time.ParseInLocation("2006-01-02", d, loc)
	if err != nil {
		return d
	}
	return w.Date(lang, t)
}

// daysText turns "mon-thu" into "Måndag–torsdag".
func daysText(w Words, lang, spec string) string {
	spec = strings.ToLower(strings.TrimSpace(spec))
	if spec == "daily" || spec == "mon-sun" {
		return w.T(lang, "days.daily")
	}
	var b, word strings.Builder
	flush := func() {
		if d, ok := dayNames[word.String()]; ok {
			b.WriteString(w.Weekday(lang, d))
		} else {
			b.WriteString(word.String())
		}
		word.Reset()
	}
	for _, r := range spec {
		switch r {
		case '-':
			flush()
			b.WriteString("–")
		case ',':
			flush()
			b.WriteString(", ")
		case ' ':
		default:
			word.WriteRune(r)
		}
	}
	flush()
	out := b.String()
	r, n := utf8.DecodeRuneInString(out)
	if n == 0 {
		return out
	}
	return string(unicode.ToUpper(r)) + out[n:]
}
