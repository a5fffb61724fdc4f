package hours

import (
	"testing"
	"time"
)

// FuzzOpeningHours parses schedules of every shape and asks them about
// moments around midnight and both daylight-saving changes: no panic, and
// the next change always lies ahead.
func FuzzOpeningHours(f *testing.F) {
	f.Add("mon-fri", "08:00-16:30", "12:00-13:00", "2026-12-24", "", "10:00-12:00")
	f.Add("daily", "22:00-06:00", "", "", "2026-03-28..2026-03-30", "")
	f.Add("sat,sun", "00:00-24:00", "", "2026-10-25", "", "02:00-03:00")
	f.Add("mån-fre", "8-16", "x", "igår", "", "25:00-26:00")
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		f.Fatal(err)
	}
	moments := []time.Time{
		time.Date(2026, 3, 29, 1, 59, 0, 0, loc), time.Date(2026, 3, 29, 3, 0, 0, 0, loc),
		time.Date(2026, 10, 25, 2, 30, 0, 0, loc), time.Date(2026, 12, 24, 23, 59, 0, 0, loc),
		time.Date(2026, 11, 23, 12, 0, 0, 0, loc),
	}
	f.Fuzz(func(t *testing.T, days, hrs, lunch, date, span, exHours string) {
		spec := Spec{Weekly: []WeeklySpec{{Days: days, Hours: hrs, Lunch: lunch}}}
		if date != "" || span != "" {
			ex := ExceptionSpec{Date: date, Hours: exHours, Closed: exHours == ""}
			if from, to, ok := cut(span); ok && date == "" {
				ex.From, ex.To = from, to
			}
			spec.Exceptions = append(spec.Exceptions, ex)
		}
		s, err := Parse(spec)
		if err != nil {
			return
		}
		for _, now := range moments {
			st := s.At(now, loc)
			if !st.Change.IsZero() && !st.Change.After(now) {
				t.Fatalf("at %v the next change %v is not ahead (%+v)", now, st.Change, spec)
			}
			s.Week(now, loc)
			s.Upcoming(now, loc, 14)
		}
	})
}

func cut(s string) (string, string, bool) {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '.' && s[i+1] == '.' {
			return s[:i], s[i+2:], true
		}
	}
	return "", "", false
}
