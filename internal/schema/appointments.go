package schema

// Appointments are meetings and visits in a user's calendar (Zoho
// "Events"/"Meetings"). Start and end are date-times in the tenant's zone.
var Appointments = Entity{
	Name:    "appointments",
	Aliases: []string{"appointment", "events", "meetings"},
	Fields: []Field{
		externalID(),
		func() Field { f := subject(); f.Titles[Zoho] = []string{"Title", "Event Title", "Subject"}; return f }(),
		{Name: "start", Type: DateTime, Required: true, Example: "2026-12-01T09:30:00Z", Titles: Titles{
			EN:   {"Start", "Start time", "Start date", "Begins"},
			DE:   {"Beginn", "Start", "Startzeit", "Von"},
			FR:   {"Début", "Date de début", "Heure de début"},
			IT:   {"Inizio", "Data inizio", "Ora inizio"},
			ES:   {"Inicio", "Fecha de inicio", "Hora de inicio"},
			PT:   {"Início", "Data de início", "Hora de início"},
			PL:   {"Początek", "Data rozpoczęcia", "Od"},
			SV:   {"Start", "Starttid", "Från"},
			Zoho: {"From", "Start DateTime"},
		}},
		{Name: "end", Type: DateTime, Example: "2026-12-01T10:30:00Z", Titles: Titles{
			EN:   {"End", "End time", "End date", "Ends"},
			DE:   {"Ende", "Endzeit", "Bis"},
			FR:   {"Fin", "Date de fin", "Heure de fin"},
			IT:   {"Fine", "Data fine", "Ora fine"},
			ES:   {"Fin", "Fecha de fin", "Hora de fin"},
			PT:   {"Fim", "Término", "Data de término", "Hora de término"},
			PL:   {"Koniec", "Data zakończenia", "Do"},
			SV:   {"Slut", "Sluttid", "Till"},
			Zoho: {"To", "End DateTime"},
		}},
		{Name: "location", Type: Text, Example: "Customer's office", Titles: Titles{
			EN:   {"Location", "Venue", "Place"},
			DE:   {"Ort des Termins", "Treffpunkt", "Terminort"},
			FR:   {"Lieu"},
			IT:   {"Luogo"},
			ES:   {"Lugar", "Ubicación"},
			PT:   {"Local"},
			PL:   {"Miejsce", "Lokalizacja"},
			SV:   {"Plats", "Mötesplats"},
			Zoho: {"Venue"},
		}},
		companyRef(),
		companyNumberRef(),
		contactRef(),
		owner("Host", "Event Owner", "Meeting Host"),
		description(),
	},
}
