package ui

import (
	"embed"
	"strconv"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Translations: every text of the window goes through lang.L (Fyne's
// translation support), with the English text as its key. en.json and
// fr.json in translations/ hold the texts; the language is the system's
// (LANGUAGE, LC_ALL, LC_MESSAGES, LANG on Linux; the user's locale on
// Windows and macOS) unless the language setting overrides it.
//
// French elides "de" before a vowel ("d’ACME", "de Globex"): a French text
// that puts an organisation after "de" writes it with the template
// {{$v1 := printf "%.1s" .Org}}{{if or (eq $v1 "A") ...}}d’{{else}}de {{end}}{{.Org}}
// (see "A partner organisation approved by {{.Org}} IT." in fr.json).

//go:embed translations/*.json
var translationFS embed.FS

// LanguagePref is the Fyne preference that holds the language setting:
// "" (the system's), "en" or "fr". cmd/client reads it too, so that the
// training content follows the same language.
const LanguagePref = "ui.language"

// Language choices of the setting.
const (
	LangSystem  = ""
	LangEnglish = "en"
	LangFrench  = "fr"
)

// languages are the translated languages, the first one the fallback.
var languages = []string{LangEnglish, LangFrench}

// testLanguage, when set (by the tests), replaces the preference so that the
// GUI tests read English whatever the machine's locale.
var testLanguage = ""

var langMu sync.Mutex

// SetLanguage loads the translations for choice: LangSystem follows the
// system's language, LangEnglish or LangFrench forces that language
// whatever the system says. Widgets built afterwards use it; those already
// built keep their text (the setting takes effect at the next start).
func SetLanguage(choice string) error {
	langMu.Lock()
	defer langMu.Unlock()
	choice = NormalizeLanguage(choice)
	for _, l := range languages {
		src := l
		if choice != LangSystem {
			src = choice
		}
		data, err := translationFS.ReadFile("translations/" + src + ".json")
		if err != nil {
			return err
		}
		// Fyne picks the translation from the system's locale list; a
		// forced language is loaded under every tag, so whatever Fyne picks
		// (and the English fallback for other system languages) reads it.
		if err := lang.AddTranslationsForLocale(data, fyne.Locale(l)); err != nil {
			return err
		}
	}
	return nil
}

// NormalizeLanguage maps a stored setting to a choice: "en", "fr", or ""
// (the system's) for anything else.
func NormalizeLanguage(s string) string {
	switch l := strings.ToLower(strings.TrimSpace(s)); {
	case l == LangEnglish || strings.HasPrefix(l, "en_") || strings.HasPrefix(l, "en-"):
		return LangEnglish
	case l == LangFrench || strings.HasPrefix(l, "fr_") || strings.HasPrefix(l, "fr-"):
		return LangFrench
	}
	return LangSystem
}

// applyLanguage sets the language from a's preferences (or the tests'
// choice) before the first widget is built.
func applyLanguage(a fyne.App) {
	choice := testLanguage
	if choice == "" && a != nil {
		choice = a.Preferences().String(LanguagePref)
	}
	if err := SetLanguage(choice); err != nil {
		fyne.LogError("loading translations", err)
	}
}

// languageOptions are the setting's choices, in its own words.
func languageOptions() []string {
	return []string{lang.L("System language"), "English", "Français"}
}

// languageChoice maps a choice of languageOptions to the stored value.
func languageChoice(opt string) string {
	switch opt {
	case "English":
		return LangEnglish
	case "Français":
		return LangFrench
	}
	return LangSystem
}

// languageOption is the option of languageOptions showing choice.
func languageOption(choice string) string {
	switch NormalizeLanguage(choice) {
	case LangEnglish:
		return "English"
	case LangFrench:
		return "Français"
	}
	return lang.L("System language")
}

// tv holds the fields of a translated text's template:
// lang.L("Partner · {{.Org}}", tv{"Org": org}).
type tv = map[string]any

// fillLanguageSetting adds the language setting to the Settings panel: the
// system's language, English or French, kept in the app's preferences and
// applied at the next start.
func (a *App) fillLanguageSetting(box *fyne.Container) {
	box.Add(widget.NewLabelWithStyle(lang.L("Language"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	sel := widget.NewSelect(languageOptions(), nil)
	sel.SetSelected(languageOption(a.fyne.Preferences().String(LanguagePref)))
	sel.OnChanged = func(opt string) {
		a.fyne.Preferences().SetString(LanguagePref, languageChoice(opt))
	}
	help := widget.NewLabel(lang.L("The language of the window and of the security training. It changes the next time Palisade starts."))
	help.Wrapping = fyne.TextWrapWord
	help.SizeName = theme.SizeNameCaptionText
	// Wide enough for "Langue du système" whole (a Select is only as wide as
	// its placeholder).
	box.Add(container.NewHBox(container.NewGridWrap(fyne.NewSize(240, sel.MinSize().Height), sel)))
	box.Add(help)
}

// formatDate is t.Format(layout) with the month's abbreviated name ("Jan"
// in the layout) in the window's language: "2 Jan 2006" reads "2 janv.
// 2006" in French.
func formatDate(t time.Time, layout string) string {
	if !strings.Contains(layout, "Jan") {
		return t.Format(layout)
	}
	s := t.Format(strings.ReplaceAll(layout, "Jan", "\x01"))
	return strings.ReplaceAll(s, "\x01", monthShort(t.Month()))
}

// monthShort is a month's abbreviated name in the window's language.
func monthShort(m time.Month) string {
	switch m {
	case time.January:
		return lang.L("Jan")
	case time.February:
		return lang.L("Feb")
	case time.March:
		return lang.L("Mar")
	case time.April:
		return lang.L("Apr")
	case time.May:
		return lang.L("May")
	case time.June:
		return lang.L("Jun")
	case time.July:
		return lang.L("Jul")
	case time.August:
		return lang.L("Aug")
	case time.September:
		return lang.L("Sep")
	case time.October:
		return lang.L("Oct")
	case time.November:
		return lang.L("Nov")
	case time.December:
		return lang.L("Dec")
	}
	return m.String()
}

// decimal1 writes f with one decimal in the window's language: "1.5" in
// English, "1,5" in French.
func decimal1(f float64) string {
	s := strconv.FormatFloat(f, 'f', 1, 64)
	i := strings.IndexByte(s, '.')
	if i < 0 {
		return s
	}
	return lang.L("{{.Int}}.{{.Frac}}", tv{"Int": s[:i], "Frac": s[i+1:]})
}
