package check

import (
	"github.com/crmimport/crm-import/internal/schema"
)

// titleLocales is the locale a file's column titles in a language suggest
// when nothing names one: Italian titles, it-IT, so that an Italian phone
// number without +39 is read as Italian, not as a United States number.
// Portuguese is Brazil's, as processoagil's template is.
var titleLocales = map[schema.Lang]string{
	schema.DE: "de-DE", schema.FR: "fr-FR", schema.IT: "it-IT", schema.ES: "es-ES",
	schema.PT: "pt-BR", schema.PL: "pl-PL", schema.SV: "sv-SE",
}

// langNames names the languages for the report.
var langNames = map[schema.Lang]string{
	schema.DE: "German", schema.FR: "French", schema.IT: "Italian", schema.ES: "Spanish",
	schema.PT: "Portuguese", schema.PL: "Polish", schema.SV: "Swedish",
}

// localeOfTitles returns the locale the header's language suggests, and
// the language, or "" when the titles are English, Zoho's, mixed, or say
// nothing: the language whose titles name the most columns, and more than
// English's do, when no other language names as many.
func localeOfTitles(e *schema.Entity, header []string) (string, schema.Lang) {
	counts := map[schema.Lang]int{}
	for _, h := range header {
		k := schema.Fold(h)
		if k == "" {
			continue
		}
		for _, lang := range schema.Langs {
			for _, f := range e.Fields {
				if matches(f.Titles[lang], k) {
					counts[lang]++
					break
				}
			}
		}
	}
	var best schema.Lang
	tie := false
	for lang := range titleLocales {
		switch n := counts[lang]; {
		case n > counts[best] || best == "" && n > 0:
			best, tie = lang, false
		case n == counts[best] && n > 0:
			tie = true
		}
	}
	if best == "" || tie || counts[best] <= counts[schema.EN] || counts[best] <= counts[schema.Zoho] {
		return "", ""
	}
	return titleLocales[best], best
}

func matches(titles []string, folded string) bool {
	for _, t := range titles {
		if schema.Fold(t) == folded {
			return true
		}
	}
	return false
}

// LocaleNote says where the report's locale came from when the titles gave
// it: "from the Italian column titles"; "" otherwise.
func (r *Report) LocaleNote() string {
	if r.LocaleFromTitles == "" {
		return ""
	}
	return "from the " + langNames[schema.Lang(r.LocaleFromTitles)] + " column titles; set the locale if that is wrong"
}
