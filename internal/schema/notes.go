package schema

// Notes are free texts attached to a company or contact (24SevenOffice
// "Anteckningar", Zoho "Notes").
var Notes = Entity{
	Name:    "notes",
	Aliases: []string{"note", "anteckningar"},
	Fields: []Field{
		externalID(),
		{Name: "title", Type: Text, Example: "Call with the buyer", Titles: Titles{
			EN:   {"Title", "Note title", "Subject"},
			DE:   {"Titel", "Betreff", "Überschrift"},
			FR:   {"Titre", "Objet"},
			IT:   {"Titolo", "Oggetto"},
			ES:   {"Título", "Asunto"},
			PT:   {"Título", "Assunto"},
			PL:   {"Tytuł", "Temat"},
			SV:   {"Rubrik", "Ämne", "Titel"},
			Zoho: {"Note Title"},
		}},
		{Name: "body", Type: Text, Required: true, Example: "Wants an offer for 40 chairs before Christmas.", Titles: Titles{
			EN:   {"Note", "Text", "Content", "Body"},
			DE:   {"Notiz", "Text", "Inhalt"},
			FR:   {"Note", "Texte", "Contenu"},
			IT:   {"Nota", "Testo", "Contenuto"},
			ES:   {"Nota", "Texto", "Contenido"},
			PT:   {"Nota", "Texto", "Conteúdo", "Anotação"},
			PL:   {"Notatka", "Treść", "Tekst"},
			SV:   {"Anteckning", "Text", "Innehåll"},
			Zoho: {"Note Content"},
		}},
		{Name: "date", Type: DateTime, Example: "2026-11-20T14:00:00Z", Titles: Titles{
			EN:   {"Date", "Created", "Created at"},
			DE:   {"Datum", "Erstellt am"},
			FR:   {"Date", "Créé le"},
			IT:   {"Data", "Creato il"},
			ES:   {"Fecha", "Creado el"},
			PT:   {"Data", "Criado em"},
			PL:   {"Data", "Utworzono"},
			SV:   {"Datum", "Skapad"},
			Zoho: {"Created Time"},
		}},
		companyRef(),
		companyNumberRef(),
		contactRef(),
		owner("Note Owner"),
	},
}
