package lessons

import (
	"strings"
	"testing"

	"github.com/palisade-im/palisade/training"
)

// Every built-in module parses, exists in every language with the same id,
// version, gates and quiz shape, and every answer is explained.
func TestBuiltinContent(t *testing.T) {
	c, err := Catalogue(nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.IDs(); strings.Join(got, ",") != strings.Join(Order, ",") {
		t.Errorf("modules %v, want the suggested order %v", got, Order)
	}
	for _, id := range Order {
		en, ok := c.Module(id, "en")
		if !ok || en.Lang != "en" {
			t.Fatalf("%s: no English version", id)
		}
		fr, ok := c.Module(id, "fr")
		if !ok || fr.Lang != "fr" {
			t.Fatalf("%s: no French version", id)
		}
		if en.Version != fr.Version || strings.Join(en.Gates, ",") != strings.Join(fr.Gates, ",") || en.Pass != fr.Pass {
			t.Errorf("%s: versions, gates or pass marks differ between en and fr", id)
		}
		if len(en.Questions) != len(fr.Questions) || len(en.Questions) < 3 {
			t.Errorf("%s: %d English and %d French questions, want the same, at least 3", id, len(en.Questions), len(fr.Questions))
			continue
		}
		for i := range en.Questions {
			if len(en.Questions[i].Choices) != len(fr.Questions[i].Choices) {
				t.Errorf("%s question %d: choice counts differ", id, i+1)
			}
			for j := range en.Questions[i].Choices {
				if en.Questions[i].Choices[j].Correct != fr.Questions[i].Choices[j].Correct {
					t.Errorf("%s question %d choice %d: the right answer differs between en and fr", id, i+1, j+1)
				}
			}
		}
		// A lesson is one or two minutes: at most about 450 words.
		if n := len(strings.Fields(en.Lesson)); n < 80 || n > 450 {
			t.Errorf("%s: the English lesson has %d words", id, n)
		}
	}
	// The features the issue names are each gated by some module.
	for _, f := range training.Features {
		found := false
		for _, id := range Order {
			m, _ := c.Module(id, "en")
			for _, g := range m.Gates {
				found = found || g == f
			}
		}
		if !found {
			t.Errorf("no module gates %s", f)
		}
	}
}

func TestPromptsAndWelcome(t *testing.T) {
	c, _ := Catalogue(nil)
	for _, lang := range Langs {
		p, err := Prompts(lang)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range training.PromptKinds {
			pr, ok := p[k]
			if !ok {
				t.Errorf("%s: no prompt %s", lang, k)
				continue
			}
			if _, ok := c.Module(pr.Module, lang); !ok {
				t.Errorf("%s prompt %s names module %q, which does not exist", lang, k, pr.Module)
			}
		}
		if !strings.HasPrefix(Welcome(lang), "# ") {
			t.Errorf("%s: welcome text missing", lang)
		}
	}
	if p, _ := Prompts("de"); p[training.PromptUnknownChat].Lang != "en" {
		t.Error("an unknown language does not fall back to English")
	}
}
