package ui

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/palisade-im/palisade/event"
)

// The GUI tests match English texts: they run in English whatever the
// machine's locale. The French tests set French for themselves.
// A "C.UTF-8" locale names no language; LANGUAGE says English so that
// Fyne does not log at each load of the translations that it cannot parse
// it (cmd/client does the same).
func init() {
	testLanguage = LangEnglish
	if os.Getenv("LANGUAGE") == "" {
		os.Setenv("LANGUAGE", "en")
	}
}

// inFrench builds the GUIs of the test in French, and English again after.
func inFrench(t *testing.T) {
	t.Helper()
	testLanguage = LangFrench
	t.Cleanup(func() {
		testLanguage = LangEnglish
		if err := SetLanguage(LangEnglish); err != nil {
			t.Error(err)
		}
	})
}

func loadTranslation(t *testing.T, name string) map[string]string {
	t.Helper()
	data, err := translationFS.ReadFile("translations/" + name)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m
}

var templateField = regexp.MustCompile(`{{\s*\.(\w+)\s*}}`)

func fields(s string) []string {
	var out []string
	for _, m := range templateField.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	sort.Strings(out)
	return out
}

// otherFields are the texts whose French words use other fields of the
// same template data than the English ones ("Alice's" is English only).
var otherFields = map[string]bool{"Signed by {{.Whose}} certified device": true}

// Every English text has a French one, with the same template fields.
func TestFrenchTranslationComplete(t *testing.T) {
	en, fr := loadTranslation(t, "en.json"), loadTranslation(t, "fr.json")
	if len(en) == 0 {
		t.Fatal("en.json is empty")
	}
	for k, v := range en {
		if strings.TrimSpace(v) == "" {
			t.Errorf("en.json: %q has an empty text", k)
		}
		f, ok := fr[k]
		if !ok || strings.TrimSpace(f) == "" {
			t.Errorf("fr.json: no French text for %q", k)
			continue
		}
		if a, b := strings.Join(fields(k), ","), strings.Join(fields(f), ","); a != b && !otherFields[k] {
			t.Errorf("fr.json: %q has fields [%s], its French text %q has [%s]", k, a, f, b)
		}
	}
	for k := range fr {
		if _, ok := en[k]; !ok {
			t.Errorf("fr.json: %q is not in en.json", k)
		}
	}
}

// wrappedTexts lists the literal texts passed to lang.L in the package's
// (non-test) Go files.
func wrappedTexts(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	fset := token.NewFileSet()
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "L" {
				return true
			}
			if id, ok := sel.X.(*ast.Ident); !ok || id.Name != "lang" {
				return true
			}
			if lit, ok := call.Args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				s, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Fatal(err)
				}
				out[s] = fset.Position(lit.Pos()).String()
			}
			return true
		})
	}
	return out
}

// Every text the code wraps is in en.json (and so, by the test above, in
// fr.json).
func TestWrappedTextsInTranslations(t *testing.T) {
	en := loadTranslation(t, "en.json")
	wrapped := wrappedTexts(t)
	if len(wrapped) < 100 {
		t.Fatalf("only %d wrapped texts found: the scan is broken", len(wrapped))
	}
	for s, pos := range wrapped {
		if _, ok := en[s]; !ok {
			t.Errorf("%s: lang.L(%q) is not in translations/en.json", pos, s)
		}
	}
}

func TestNormalizeLanguage(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", LangSystem}, {"fr", LangFrench}, {"FR", LangFrench}, {"fr_FR.UTF-8", LangFrench}, {"fr-CA", LangFrench},
		{"en", LangEnglish}, {"en_GB", LangEnglish}, {"de", LangSystem}, {"french", LangSystem},
	} {
		if got := NormalizeLanguage(tt.in); got != tt.want {
			t.Errorf("NormalizeLanguage(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, c := range []string{LangSystem, LangEnglish, LangFrench} {
		if got := languageChoice(languageOption(c)); got != c {
			t.Errorf("choice %q shows as %q, which maps back to %q", c, languageOption(c), got)
		}
	}
}

// The sign-in screen, the main window and a chat in French.
func TestFrenchMainWindowAndChat(t *testing.T) {
	inFrench(t)
	h := newHarness(t, Options{})
	h.mustSee("Connexion à Palisade", "Mot de passe", "Se connecter")
	h.mustNotSee("Sign in to Palisade", "Password")
	v := h.app.signin
	v.jid.SetText("alice@acme.test")
	v.password.SetText("secret")
	v.submit()
	h.emit(event.Connected{JID: "alice@acme.test/pc"}, event.Roster{Contacts: []event.Contact{
		{JID: "bob@acme.test", Name: "Bob Martin", Groups: []string{"Engineering"}, Subscription: "both"},
	}})
	h.mustSee("Disponible", "Hors ligne")
	findButton(t, h.app.main.root, "Paramètres")
	h.app.main.list.Select(rowIndex(h, "bob@acme.test"))
	h.mustSee("Bob Martin", "Envoyer", "Pièce jointe")
	h.mustNotSee("Send", "Attach", "Settings")

	// The main menu is made in New, before any view: French too.
	mm := h.app.win.MainMenu()
	if mm == nil {
		t.Fatal("no main menu")
	}
	var menus []string
	for _, m := range mm.Items {
		menus = append(menus, m.Label)
	}
	if !strings.Contains(strings.Join(menus, ","), "Discussions") {
		t.Errorf("main menu %q is not in French", menus)
	}
}

// The language setting in Settings shows the stored choice and stores the
// new one for the next start.
func TestLanguageSetting(t *testing.T) {
	h := signedIn(t)
	h.app.main.showSettings()
	top := h.app.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no Settings dialog")
	}
	var sel *widget.Select
	for _, o := range test.LaidOutObjects(top) {
		if s, ok := o.(*widget.Select); ok && len(s.Options) == 3 && s.Options[2] == "Français" {
			sel = s
		}
	}
	if sel == nil {
		t.Fatal("no language choice in Settings")
	}
	if sel.Selected != "System language" {
		t.Errorf("language shows %q, want the system's", sel.Selected)
	}
	if s := strings.Join(texts(top), "\n"); !strings.Contains(s, "It changes the next time Palisade starts.") {
		t.Errorf("Settings do not say when the language changes:\n%s", s)
	}
	prefs := h.app.fyne.Preferences()
	for _, tt := range []struct{ opt, want string }{{"Français", LangFrench}, {"English", LangEnglish}, {"System language", LangSystem}} {
		sel.SetSelected(tt.opt)
		if got := prefs.String(LanguagePref); got != tt.want {
			t.Errorf("after choosing %q the preference is %q, want %q", tt.opt, got, tt.want)
		}
	}
}

// The texts the models write (dates, settings, profile notices, a
// policy reason turned to the banner's words) read in French too.
func TestFrenchModelTexts(t *testing.T) {
	if err := SetLanguage(LangFrench); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := SetLanguage(LangEnglish); err != nil {
			t.Error(err)
		}
	})
	day := time.Date(2026, time.February, 3, 14, 5, 0, 0, time.UTC)
	m := &ProfileModel{}
	m.SetProfile(event.Profile{Managed: true, Org: "ACME", Serial: 9, Changes: []string{"a", "b", "c", "d", "e", "f"}})
	m.ProfileRefused(event.ProfileRefused{Source: "push", Code: event.ProfileRollback, Reason: "le numéro 3 est plus ancien que 8", Serial: 3})
	ns := m.Notices()
	if len(ns) != 2 {
		t.Fatalf("notices = %+v", ns)
	}
	for _, tt := range []struct{ what, got, want string }{
		{"date", formatDate(day, "2 Jan 2006 15:04"), "3 févr. 2026 14:05"},
		{"date in August", formatDate(day.AddDate(0, 6, 0), "2 Jan"), "3 août"},
		{"size", settingValue("files.max_size", "104857600"), "100 Mio"},
		{"size with a decimal", settingValue("files.max_size", "1536"), "1,5 Kio"},
		{"small size", settingValue("files.max_size", "12"), "12\u00a0octets"},
		{"boolean", settingValue("files.scan_required", "true"), "Oui"},
		{"setting word", settingValue("tor", "required"), "obligatoire"},
		{"setting label", settingLabel("files.max_size"), "Fichiers › taille maximale"},
		{"unknown setting", settingLabel("some_new_thing"), "Some new thing"},
		{"changes notice", ns[0].Text, "Le service informatique d’ACME a mis à jour votre profil (numéro 9)\u00a0:\n• a\n• b\n• c\n• d\n• et 2 de plus\u00a0: voir Paramètres"},
		{"refusal notice", ns[1].Text, "Un profil envoyé par le service informatique (numéro 3) a été refusé\u00a0: le numéro 3 est plus ancien que 8. Le profil en vigueur reste inchangé."},
		{"reason after the title", restOfReason("evil.test n’est pas une organisation approuvée.", "evil.test", ""), "Ce domaine n’est pas une organisation approuvée."},
		{"severity", severityWord("critical"), "Critique"},
		{"singular", lang.L("Security training: {{.N}} required {{if eq .N 1}}lesson{{else}}lessons{{end}} to do.", tv{"N": 1}), "Formation à la sécurité\u00a0: 1 leçon obligatoire à suivre."},
		{"plural", lang.L("Security training: {{.N}} required {{if eq .N 1}}lesson{{else}}lessons{{end}} to do.", tv{"N": 3}), "Formation à la sécurité\u00a0: 3 leçons obligatoires à suivre."},
		{"organisation after de", TrustBanner(event.Trust{Class: event.ClassPartner, Domain: "partner.test", Org: "Partner Ltd"}, "carol@partner.test", "Globex").Text,
			"Une organisation partenaire approuvée par le service informatique de Globex."},
		{"organisation after d’", TrustBanner(event.Trust{Class: event.ClassPartner, Domain: "partner.test", Org: "Partner Ltd"}, "carol@partner.test", "Initech").Text,
			"Une organisation partenaire approuvée par le service informatique d’Initech."},
		{"file size", FormatSize(3 * 1024 * 1024), "3,0 Mo"},
	} {
		if tt.got != tt.want {
			t.Errorf("%s: %q, want %q", tt.what, tt.got, tt.want)
		}
	}
}

// With the policy's French reasons (as policy.Classify writes them for a
// French user), the banner reads in French and says each thing once.
func TestFrenchTrustBanner(t *testing.T) {
	if err := SetLanguage(LangFrench); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := SetLanguage(LangEnglish); err != nil {
			t.Error(err)
		}
	})
	for _, tt := range []struct {
		name        string
		trust       event.Trust
		jid         string
		title, body string
	}{
		{"lookalike", event.Trust{Class: event.ClassLookalike, Domain: "acme-corp.test", LookalikeOf: "acme.test",
			Reason: "acme-corp.test ressemble à acme.test sans l’être (des tirets ou des mots ajoutés)."}, "payroll@acme-corp.test",
			"Attention\u00a0: acme-corp.test n’est pas acme.test.",
			"Son nom imite acme.test avec des tirets ou des mots ajoutés. Ne partagez ni mots de passe, ni paiements, ni fichiers."},
		{"unknown", event.Trust{Class: event.ClassUnknown, Domain: "evil.test", Reason: "evil.test n’est pas une organisation approuvée."}, "eve@evil.test",
			"Contact externe sur evil.test.", "Ce n’est pas une organisation approuvée par le service informatique d’ACME. Soyez prudent avec les liens et les fichiers."},
		{"unknown subdomain of a partner", event.Trust{Class: event.ClassUnknown, Domain: "sub.partner.test",
			Reason: "sub.partner.test est un sous-domaine de partner.test (Partner Ltd) qui n’est pas lui-même approuvé."}, "x@sub.partner.test",
			"Contact externe sur sub.partner.test.", "Ce domaine est un sous-domaine de partner.test (Partner Ltd) qui n’est pas lui-même approuvé. Soyez prudent avec les liens et les fichiers."},
	} {
		b := TrustBanner(tt.trust, tt.jid, "ACME")
		if b.Title != tt.title || b.Text != tt.body {
			t.Errorf("%s: banner\n  %q\n  %q\nwant\n  %q\n  %q", tt.name, b.Title, b.Text, tt.title, tt.body)
		}
	}
	_, files := ComposerHints(event.Trust{Class: event.ClassUnknown, Domain: "evil.test",
		FileReason: "Les fichiers destinés à evil.test ne sont pas autorisés\u00a0: le service informatique d’ACME n’autorise les fichiers que vers ACME."}, "eve@evil.test")
	if want := "Les fichiers destinés à evil.test ne sont pas autorisés\u00a0: le service informatique d’ACME n’autorise les fichiers que vers ACME."; files != want {
		t.Errorf("file hint %q, want the policy's sentence once: %q", files, want)
	}
}
