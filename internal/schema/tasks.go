package schema

// Tasks are to-dos of a user, possibly about a company or contact
// (24SevenOffice "Uppgifter", Zoho "Tasks").
var Tasks = Entity{
	Name:    "tasks",
	Aliases: []string{"task", "todos", "uppgifter"},
	Fields: []Field{
		externalID(),
		subject(),
		{Name: "due_date", Type: Date, Example: "2026-12-31", Titles: Titles{
			EN:   {"Due date", "Due", "Deadline"},
			DE:   {"Fälligkeitsdatum", "Fällig am", "Fällig", "Frist"},
			FR:   {"Date d'échéance", "Échéance"},
			IT:   {"Data di scadenza", "Scadenza"},
			ES:   {"Fecha de vencimiento", "Vencimiento", "Fecha límite"},
			PT:   {"Data de vencimento", "Prazo", "Vencimento"},
			PL:   {"Termin", "Termin wykonania", "Data wykonania"},
			SV:   {"Förfallodatum", "Slutdatum", "Deadline"},
			Zoho: {"Due Date"},
		}},
		{Name: "status", Type: Enum, Example: "open", Values: []Value{
			{Name: "open", Titles: []string{"not started", "to do", "todo", "new", "offen", "neu", "ouvert", "à faire", "nouveau", "aperto", "da fare", "nuovo", "abierto", "pendiente", "nuevo", "aberto", "pendente", "novo", "a fazer", "otwarte", "nowe", "do zrobienia", "öppen", "ny", "ej påbörjad", "att göra"}},
			{Name: "in_progress", Titles: []string{"in progress", "started", "in bearbeitung", "begonnen", "en cours", "in corso", "in lavorazione", "en curso", "en progreso", "em andamento", "em progresso", "w toku", "w trakcie", "pågående", "påbörjad"}},
			{Name: "waiting", Titles: []string{"waiting for input", "waiting on someone else", "wartend", "warten auf", "en attente", "in attesa", "en espera", "aguardando", "em espera", "oczekujące", "väntar", "väntande"}},
			{Name: "deferred", Titles: []string{"postponed", "zurückgestellt", "verschoben", "reporté", "rinviato", "aplazado", "pospuesto", "adiado", "odłożone", "uppskjuten"}},
			{Name: "done", Titles: []string{"completed", "complete", "closed", "finished", "erledigt", "abgeschlossen", "terminé", "fait", "clôturé", "completato", "fatto", "chiuso", "completada", "completado", "hecho", "terminada", "cerrada", "concluído", "concluída", "feito", "fechado", "zakończone", "wykonane", "zamknięte", "klar", "avslutad", "slutförd", "utförd"}},
		}, Titles: Titles{
			EN:   {"Status", "State"},
			DE:   {"Status", "Zustand"},
			FR:   {"Statut", "État"},
			IT:   {"Stato"},
			ES:   {"Estado"},
			PT:   {"Status", "Situação"},
			PL:   {"Status"},
			SV:   {"Status"},
			Zoho: {"Status"},
		}},
		{Name: "priority", Type: Enum, Example: "normal", Values: []Value{
			{Name: "high", Titles: []string{"highest", "urgent", "hoch", "dringend", "haute", "élevée", "urgente", "alta", "wysoki", "pilne", "hög", "brådskande"}},
			{Name: "normal", Titles: []string{"medium", "mittel", "moyenne", "normale", "media", "média", "normalny", "średni", "mellan"}},
			{Name: "low", Titles: []string{"lowest", "niedrig", "basse", "faible", "bassa", "baja", "baixa", "niski", "låg"}},
		}, Titles: Titles{
			EN:   {"Priority"},
			DE:   {"Priorität", "Dringlichkeit"},
			FR:   {"Priorité"},
			IT:   {"Priorità"},
			ES:   {"Prioridad"},
			PT:   {"Prioridade"},
			PL:   {"Priorytet"},
			SV:   {"Prioritet"},
			Zoho: {"Priority"},
		}},
		companyRef(),
		companyNumberRef(),
		contactRef(),
		owner("Task Owner"),
		description(),
	},
}
