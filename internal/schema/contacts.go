package schema

// Contacts are the persons of a company (Zoho "Contacts", Livespace
// "Osoby"). A person file links to companies by the company column.
var Contacts = Entity{
	Name:    "contacts",
	Aliases: []string{"contact", "persons", "people", "osoby", "kontakter"},
	Fields: []Field{
		externalID(),
		{Name: "salutation", Type: Text, Example: "Ms", Titles: Titles{
			EN:   {"Salutation"},
			DE:   {"Anrede"},
			FR:   {"Civilité"},
			IT:   {"Titolo di cortesia", "Appellativo"},
			ES:   {"Tratamiento"},
			PT:   {"Tratamento", "Pronome de tratamento"},
			PL:   {"Zwrot grzecznościowy"},
			SV:   {"Hälsningsfras", "Tilltal"},
			Zoho: {"Salutation"},
		}},
		firstName(true),
		func() Field { f := lastName(true); f.Required = true; return f }(),
		jobTitle(),
		department(),
		companyRef(),
		companyNumberRef(),
		email(),
		phone(),
		mobile(),
		street(),
		postcode(),
		city(),
		region(),
		country(),
		birthday(),
		leadSource(),
		owner("Contact Owner"),
		description(),
	},
}
