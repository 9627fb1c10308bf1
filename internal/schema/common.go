package schema

// Fields that several entities share. Each function returns a fresh Field so
// an entity can change a copy (e.g. make it required) without touching others.

func externalID() Field {
	return Field{Name: "external_id", Type: Text, Example: "A-10042", Titles: Titles{
		EN:   {"External ID", "Ext ID", "External reference", "Import ID"},
		DE:   {"Externe ID", "Fremd-ID", "Externe Nummer"},
		FR:   {"ID externe", "Identifiant externe", "Référence externe"},
		IT:   {"ID esterno", "Codice esterno", "Riferimento esterno"},
		ES:   {"ID externo", "Identificador externo", "Referencia externa"},
		PT:   {"ID externo", "Código externo", "Referência externa"},
		PL:   {"Zewnętrzne ID", "Identyfikator zewnętrzny", "ID zewnętrzne"},
		SV:   {"Externt ID", "Extern referens"},
		Zoho: {"Record Id"},
	}}
}

// owner is the user responsible for a record as the file names them:
// an e-mail address, an employee number or a name. Which of these a column
// holds is said by the import configuration's assignment setting.
func owner(zoho ...string) Field {
	return Field{Name: "owner", Type: Text, Example: "anna.berg@example.com", Titles: Titles{
		EN:   {"Owner", "Sales agent", "Agent", "Sales rep", "Account manager", "Assigned to"},
		DE:   {"Betreuer", "Außendienstmitarbeiter", "Vertreter", "Verantwortlicher", "Zuständig"},
		FR:   {"Commercial", "Responsable", "Attribué à", "Propriétaire"},
		IT:   {"Agente", "Responsabile", "Venditore", "Assegnato a"},
		ES:   {"Comercial responsable", "Responsable", "Vendedor", "Asignado a", "Agente comercial"},
		PT:   {"Responsável", "Vendedor", "Atribuído a", "Representante"},
		PL:   {"Opiekun", "Właściciel", "Handlowiec", "Przypisany do"},
		SV:   {"Ansvarig", "Säljare", "Ansvarig säljare", "Handläggare"},
		Zoho: append(zoho, "Owner"),
	}}
}

func email() Field {
	return Field{Name: "email", Type: Email, Example: "info@example.com", Titles: Titles{
		EN:   {"Email", "E-mail", "Email address", "E-mail address", "Mail"},
		DE:   {"E-Mail", "E-Mail-Adresse", "Mailadresse"},
		FR:   {"E-mail", "Courriel", "Adresse e-mail", "Adresse électronique"},
		IT:   {"Email", "Indirizzo email", "Posta elettronica"},
		ES:   {"Correo electrónico", "Correo", "Email"},
		PT:   {"E-mail", "E-mail principal", "Correio eletrônico", "Endereço de e-mail"},
		PL:   {"E-mail", "Adres e-mail", "Adres email"},
		SV:   {"E-post", "E-postadress", "Epost"},
		Zoho: {"Email", "Primary Email"},
	}}
}

func phone() Field {
	return Field{Name: "phone", Type: Phone, Example: "+49 30 901820", Titles: Titles{
		EN:   {"Phone", "Telephone", "Phone number", "Tel", "Business phone"},
		DE:   {"Telefon", "Telefonnummer", "Tel.", "Festnetz"},
		FR:   {"Téléphone", "Tél.", "Numéro de téléphone"},
		IT:   {"Telefono", "Numero di telefono"},
		ES:   {"Teléfono", "Número de teléfono"},
		PT:   {"Telefone", "Telefone para contato", "Fone"},
		PL:   {"Telefon", "Numer telefonu", "Nr telefonu"},
		SV:   {"Telefon", "Telefonnummer", "Tfn"},
		Zoho: {"Phone"},
	}}
}

func mobile() Field {
	return Field{Name: "mobile", Type: Phone, Example: "+49 151 23456789", Titles: Titles{
		EN:   {"Mobile", "Mobile phone", "Cell phone", "Cell", "Mobile number"},
		DE:   {"Mobil", "Mobiltelefon", "Handy", "Mobilnummer", "Handynummer"},
		FR:   {"Portable", "Téléphone portable", "Mobile"},
		IT:   {"Cellulare", "Telefono cellulare"},
		ES:   {"Móvil", "Teléfono móvil", "Celular"},
		PT:   {"Celular", "Telemóvel", "Telefone celular"},
		PL:   {"Telefon komórkowy", "Komórka", "Tel. kom."},
		SV:   {"Mobil", "Mobiltelefon", "Mobilnummer"},
		Zoho: {"Mobile"},
	}}
}

func website() Field {
	return Field{Name: "website", Type: Text, Example: "https://www.example.com", Titles: Titles{
		EN:   {"Website", "Web", "URL", "Homepage"},
		DE:   {"Webseite", "Internetseite", "Internetadresse"},
		FR:   {"Site web", "Site internet"},
		IT:   {"Sito web", "Sito internet"},
		ES:   {"Sitio web", "Página web"},
		PT:   {"Site", "Página da web"},
		PL:   {"Strona www", "Strona internetowa"},
		SV:   {"Webbplats", "Hemsida", "Webbadress"},
		Zoho: {"Website"},
	}}
}

func street() Field {
	return Field{Name: "street", Type: Text, Example: "Hauptstraße 5", Titles: Titles{
		EN:   {"Street", "Address", "Street address", "Address line 1"},
		DE:   {"Straße", "Strasse", "Adresse", "Anschrift", "Straße und Hausnummer"},
		FR:   {"Rue", "Adresse", "Adresse postale"},
		IT:   {"Indirizzo", "Via"},
		ES:   {"Dirección", "Calle", "Domicilio"},
		PT:   {"Endereço", "Rua", "Logradouro"},
		PL:   {"Ulica", "Adres"},
		SV:   {"Gatuadress", "Adress", "Postadress", "Gata"},
		Zoho: {"Mailing Street", "Billing Street", "Street"},
	}}
}

func postcode() Field {
	return Field{Name: "postcode", Type: Text, Example: "00184", Titles: Titles{
		EN:   {"Postcode", "Postal code", "ZIP", "ZIP code", "Post code"},
		DE:   {"PLZ", "Postleitzahl"},
		FR:   {"Code postal", "CP"},
		IT:   {"CAP", "Codice postale"},
		ES:   {"Código postal", "C.P."},
		PT:   {"CEP", "Código postal"},
		PL:   {"Kod pocztowy", "Kod"},
		SV:   {"Postnummer", "Postnr"},
		Zoho: {"Mailing Zip", "Billing Code", "Zip Code"},
	}}
}

func city() Field {
	return Field{Name: "city", Type: Text, Example: "Berlin", Titles: Titles{
		EN:   {"City", "Town"},
		DE:   {"Ort", "Stadt", "Wohnort"},
		FR:   {"Ville", "Localité"},
		IT:   {"Città", "Comune", "Località"},
		ES:   {"Ciudad", "Localidad", "Población"},
		PT:   {"Cidade", "Município"},
		PL:   {"Miasto", "Miejscowość"},
		SV:   {"Postort", "Ort", "Stad"},
		Zoho: {"Mailing City", "Billing City"},
	}}
}

func region() Field {
	return Field{Name: "region", Type: Text, Example: "Berlin", Titles: Titles{
		EN:   {"State", "Region", "Province", "County"},
		DE:   {"Bundesland", "Kanton"},
		FR:   {"Région", "Département"},
		IT:   {"Provincia", "Regione"},
		ES:   {"Provincia", "Comunidad autónoma"},
		PT:   {"Estado", "UF"},
		PL:   {"Województwo"},
		SV:   {"Län", "Landskap"},
		Zoho: {"Mailing State", "Billing State"},
	}}
}

func country() Field {
	return Field{Name: "country", Type: Text, Example: "Germany", Titles: Titles{
		EN:   {"Country"},
		DE:   {"Land", "Staat"},
		FR:   {"Pays"},
		IT:   {"Paese", "Nazione", "Stato"},
		ES:   {"País"},
		PT:   {"País"},
		PL:   {"Kraj"},
		SV:   {"Land"},
		Zoho: {"Mailing Country", "Billing Country"},
	}}
}

func description() Field {
	return Field{Name: "description", Type: Text, Example: "Prefers visits on Monday mornings", Titles: Titles{
		EN:   {"Description", "Notes", "Comment", "Remarks"},
		DE:   {"Beschreibung", "Notizen", "Bemerkung", "Bemerkungen", "Kommentar"},
		FR:   {"Description", "Remarques", "Commentaire"},
		IT:   {"Descrizione", "Note", "Commento"},
		ES:   {"Descripción", "Notas", "Observaciones", "Comentario"},
		PT:   {"Descrição", "Observações", "Observação", "Comentário"},
		PL:   {"Opis", "Uwagi", "Notatki", "Komentarz"},
		SV:   {"Beskrivning", "Anteckningar", "Kommentar", "Övrigt"},
		Zoho: {"Description"},
	}}
}

func taxID() Field {
	return Field{Name: "tax_id", Type: Text, Example: "DE123456789", Titles: Titles{
		EN: {"Tax ID", "VAT number", "VAT ID", "VAT no", "Tax number"},
		DE: {"USt-IdNr.", "Umsatzsteuer-ID", "Steuernummer", "UID-Nummer"},
		FR: {"Numéro de TVA", "TVA intracommunautaire", "N° TVA"},
		IT: {"Partita IVA", "P.IVA", "Codice fiscale"},
		ES: {"NIF", "CIF", "NIF/CIF"},
		PT: {"Número de contribuinte", "NIPC"},
		PL: {"NIP", "Numer NIP"},
		SV: {"Organisationsnummer", "Org.nr", "Orgnr", "Momsregistreringsnummer", "Personnummer"},
	}}
}

// nationalID is the Brazilian tax id, CPF for persons and CNPJ for companies
// (processoagil requires it), validated with its check digits.
func nationalID() Field {
	return Field{Name: "national_id", Type: NationalID, Example: "11.222.333/0001-81", Titles: Titles{
		EN: {"National ID", "CPF/CNPJ"},
		PT: {"CPF/CNPJ", "CPF", "CNPJ", "CNPJ/CPF", "CPF ou CNPJ"},
	}}
}

// firstName and lastName take bare, the titles that mean a person's name on
// a form about persons (French "Nom" is a surname, Italian "Nome" a first
// name) but the company or customer name on a form about customers.
func firstName(bare bool) Field {
	f := Field{Name: "first_name", Type: Text, Example: "Anna", Titles: Titles{
		EN:   {"First name", "Given name", "Forename"},
		DE:   {"Vorname"},
		FR:   {"Prénom"},
		IT:   {"Nome di battesimo"},
		ES:   {"Nombre de pila"},
		PT:   {"Primeiro nome", "Prenome"},
		PL:   {"Imię"},
		SV:   {"Förnamn"},
		Zoho: {"First Name"},
	}}
	if bare {
		f.Titles[IT] = []string{"Nome", "Nome di battesimo"}
		f.Titles[ES] = []string{"Nombre", "Nombre de pila"}
		f.Titles[PT] = []string{"Nome", "Primeiro nome", "Prenome"}
	}
	return f
}

func lastName(bare bool) Field {
	f := Field{Name: "last_name", Type: Text, Example: "Berg", Titles: Titles{
		EN:   {"Last name", "Surname", "Family name"},
		DE:   {"Nachname", "Familienname"},
		FR:   {"Nom de famille"},
		IT:   {"Cognome"},
		ES:   {"Apellidos", "Apellido"},
		PT:   {"Sobrenome", "Apelido"},
		PL:   {"Nazwisko"},
		SV:   {"Efternamn"},
		Zoho: {"Last Name"},
	}}
	if bare {
		f.Titles[FR] = []string{"Nom", "Nom de famille"}
	}
	return f
}

func jobTitle() Field {
	return Field{Name: "job_title", Type: Text, Example: "Purchasing manager", Titles: Titles{
		EN:   {"Job title", "Title", "Position"},
		DE:   {"Position", "Funktion", "Berufsbezeichnung"},
		FR:   {"Fonction", "Poste", "Titre"},
		IT:   {"Ruolo", "Qualifica", "Posizione"},
		ES:   {"Cargo", "Puesto"},
		PT:   {"Cargo", "Função"},
		PL:   {"Stanowisko"},
		SV:   {"Titel", "Befattning", "Roll"},
		Zoho: {"Title"},
	}}
}

func department() Field {
	return Field{Name: "department", Type: Text, Example: "Purchasing", Titles: Titles{
		EN:   {"Department"},
		DE:   {"Abteilung"},
		FR:   {"Service", "Département de l'entreprise"},
		IT:   {"Reparto", "Dipartimento"},
		ES:   {"Departamento"},
		PT:   {"Departamento", "Setor da empresa"},
		PL:   {"Dział"},
		SV:   {"Avdelning"},
		Zoho: {"Department"},
	}}
}

// companyRef names the company a person, deal or note belongs to, by the
// company's name (Livespace links persons and deals to companies this way).
func companyRef() Field {
	return Field{Name: "company", Type: Reference, Ref: "companies", Example: "Müller GmbH", Titles: Titles{
		EN:   {"Company", "Company name", "Account", "Organization", "Organisation"},
		DE:   {"Firma", "Firmenname", "Unternehmen"},
		FR:   {"Société", "Entreprise", "Nom de l'entreprise"},
		IT:   {"Azienda", "Società", "Ragione sociale"},
		ES:   {"Empresa", "Compañía", "Razón social"},
		PT:   {"Empresa", "Razão social", "Companhia"},
		PL:   {"Firma", "Nazwa firmy"},
		SV:   {"Företag", "Företagsnamn", "Organisation"},
		Zoho: {"Account Name"},
	}}
}

// companyNumberRef names the company by its customer number instead of its
// name, the safer link when two companies share a name.
func companyNumberRef() Field {
	f := customerNumber()
	f.Name, f.Type, f.Ref = "company_number", Reference, "companies"
	f.Titles[EN] = append(f.Titles[EN], "Company number", "Company ID")
	f.Titles[DE] = append(f.Titles[DE], "Firmennummer")
	f.Titles[PL] = append(f.Titles[PL], "Numer firmy")
	f.Titles[SV] = append(f.Titles[SV], "Företagsnummer")
	return f
}

func contactRef() Field {
	return Field{Name: "contact", Type: Reference, Ref: "contacts", Example: "Anna Berg", Titles: Titles{
		EN:   {"Contact", "Contact person", "Contact name"},
		DE:   {"Kontakt", "Ansprechpartner", "Kontaktperson"},
		FR:   {"Contact", "Interlocuteur"},
		IT:   {"Contatto", "Referente", "Persona di contatto"},
		ES:   {"Contacto", "Persona de contacto"},
		PT:   {"Contato", "Contacto", "Pessoa de contato"},
		PL:   {"Osoba", "Osoba kontaktowa", "Kontakt"},
		SV:   {"Kontaktperson", "Kontakt"},
		Zoho: {"Contact Name"},
	}}
}

func industry() Field {
	return Field{Name: "industry", Type: Text, Example: "Wholesale", Titles: Titles{
		EN:   {"Industry", "Sector", "Line of business"},
		DE:   {"Branche", "Wirtschaftszweig"},
		FR:   {"Secteur", "Secteur d'activité"},
		IT:   {"Settore", "Settore di attività"},
		ES:   {"Sector", "Industria"},
		PT:   {"Ramo de atividade", "Setor", "Segmento"},
		PL:   {"Branża"},
		SV:   {"Bransch"},
		Zoho: {"Industry"},
	}}
}

func employees() Field {
	return Field{Name: "employees", Type: Number, Example: "25", Titles: Titles{
		EN:   {"Employees", "Number of employees", "Headcount"},
		DE:   {"Anzahl Mitarbeiter", "Mitarbeiterzahl", "Beschäftigte"},
		FR:   {"Effectif", "Nombre d'employés", "Nombre de salariés"},
		IT:   {"Dipendenti", "Numero di dipendenti"},
		ES:   {"Empleados", "Número de empleados"},
		PT:   {"Funcionários", "Número de funcionários"},
		PL:   {"Liczba pracowników"},
		SV:   {"Antal anställda", "Anställda"},
		Zoho: {"No. of Employees"},
	}}
}

func revenue() Field {
	return Field{Name: "revenue", Type: Number, Example: "1250000.50", Titles: Titles{
		EN:   {"Revenue", "Annual revenue", "Turnover", "Sales volume"},
		DE:   {"Umsatz", "Jahresumsatz"},
		FR:   {"Chiffre d'affaires", "CA"},
		IT:   {"Fatturato", "Fatturato annuo"},
		ES:   {"Facturación", "Ingresos", "Volumen de ventas"},
		PT:   {"Faturamento", "Receita", "Faturamento anual"},
		PL:   {"Przychód", "Obrót", "Przychody"},
		SV:   {"Omsättning", "Årsomsättning"},
		Zoho: {"Annual Revenue"},
	}}
}

func customerNumber() Field {
	return Field{Name: "customer_number", Type: Text, Example: "10042", Titles: Titles{
		EN:   {"Customer number", "Customer no.", "Customer ID", "Client number", "Account number"},
		DE:   {"Kundennummer", "Kunden-Nr.", "Kd.-Nr.", "Kundennr"},
		FR:   {"Numéro de client", "Numéro client", "N° client", "N° de client", "Code client"},
		IT:   {"Codice cliente", "Numero cliente"},
		ES:   {"Número de cliente", "Código de cliente", "Nº cliente"},
		PT:   {"Código do cliente", "Número do cliente", "Código"},
		PL:   {"Numer klienta", "Nr klienta", "Kod klienta"},
		SV:   {"Kundnummer", "Kundnr", "Kund-ID"},
		Zoho: {"Account Number"},
	}}
}

func tradeName() Field {
	return Field{Name: "trade_name", Type: Text, Example: "Müller Bürobedarf", Titles: Titles{
		EN: {"Trade name", "Doing business as", "DBA", "Brand name"},
		DE: {"Handelsname", "Kurzname", "Markenname"},
		FR: {"Nom commercial", "Enseigne"},
		IT: {"Nome commerciale", "Insegna"},
		ES: {"Nombre comercial"},
		PT: {"Nome fantasia", "Nome comercial"},
		PL: {"Nazwa handlowa", "Nazwa skrócona"},
		SV: {"Handelsnamn", "Varumärke"},
	}}
}

func birthday() Field {
	return Field{Name: "birthday", Type: Date, Example: "1980-04-17", Titles: Titles{
		EN:   {"Birthday", "Date of birth", "Birth date"},
		DE:   {"Geburtstag", "Geburtsdatum"},
		FR:   {"Date de naissance", "Anniversaire"},
		IT:   {"Data di nascita", "Compleanno"},
		ES:   {"Fecha de nacimiento", "Cumpleaños"},
		PT:   {"Data de nascimento", "Aniversário"},
		PL:   {"Data urodzenia", "Urodziny"},
		SV:   {"Födelsedag", "Födelsedatum"},
		Zoho: {"Date of Birth"},
	}}
}

func leadSource() Field {
	return Field{Name: "source", Type: Text, Example: "Trade fair", Titles: Titles{
		EN:   {"Source", "Lead source", "Origin"},
		DE:   {"Quelle", "Herkunft", "Lead-Quelle"},
		FR:   {"Source", "Origine"},
		IT:   {"Fonte", "Origine"},
		ES:   {"Fuente", "Origen"},
		PT:   {"Fonte", "Origem"},
		PL:   {"Źródło", "Pochodzenie"},
		SV:   {"Källa", "Ursprung"},
		Zoho: {"Lead Source"},
	}}
}

func subject() Field {
	return Field{Name: "subject", Type: Text, Required: true, Example: "Present the new catalogue", Titles: Titles{
		EN:   {"Subject", "Title", "Topic"},
		DE:   {"Betreff", "Titel", "Thema"},
		FR:   {"Objet", "Sujet", "Titre"},
		IT:   {"Oggetto", "Titolo", "Argomento"},
		ES:   {"Asunto", "Título", "Tema"},
		PT:   {"Assunto", "Título"},
		PL:   {"Temat", "Tytuł"},
		SV:   {"Ämne", "Rubrik", "Titel"},
		Zoho: {"Subject"},
	}}
}

// yesNo are the values of a boolean field as tenants write them.
func yesNo() []Value {
	return []Value{
		{Name: "true", Titles: []string{"yes", "y", "x", "1", "ja", "j", "oui", "sì", "si", "sim", "tak", "true", "wahr", "vrai", "vero", "verdadero", "verdadeiro", "active", "aktiv", "actif", "attivo", "activo", "ativo", "aktywny"}},
		{Name: "false", Titles: []string{"no", "n", "0", "nein", "non", "não", "nao", "nie", "nej", "false", "falsch", "faux", "falso", "inactive", "inaktiv", "inactif", "inattivo", "inactivo", "inativo", "nieaktywny"}},
	}
}
