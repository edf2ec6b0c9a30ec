/**
 * Word lists the rules lean on. They are deliberately about English news style in general
 * (how reporters attribute, which nouns name a source), never about a particular story.
 */

const words = (list: string): Set<string> => new Set(list.trim().split(/\s+/));

/** Honorifics and office words that stand before a name ("Ohio Governor Dana Reyes"). */
export const TITLE_WORDS = words(`
  mr mrs ms mx miss dr prof professor sir dame lord lady rev reverend father sister brother bishop
  archbishop cardinal pope rabbi imam sheikh sheik emir king queen prince princess crown
  president vice prime minister premier chancellor governor mayor senator sen rep representative
  congressman congresswoman secretary ambassador envoy consul commissioner chairman chairwoman chair
  chairperson ceo cfo coo cto founder co-founder chief head director judge justice attorney prosecutor
  sheriff inspector superintendent detective officer general gen colonel col lieutenant lt sergeant sgt
  captain capt commander cmdr admiral adm major maj marshal spokesman spokeswoman spokesperson
  leader deputy acting foreign defense defence interior finance health economy state
  coach manager editor correspondent adviser advisor aide lawmaker mp mep legislator
  analyst expert economist researcher scientist historian
`);

/**
 * Nouns that describe a person or group able to speak for itself. A noun phrase headed by one of
 * these and carrying no proper name is an anonymous source ("a Gulf diplomat").
 */
export const SOURCE_NOUNS = words(`
  analyst expert diplomat official source resident witness observer critic supporter opponent
  activist economist researcher scientist doctor physician nurse teacher farmer worker employee
  spokesman spokeswoman spokesperson person people man woman insider aide adviser advisor lawmaker
  legislator politician commentator journalist reporter historian scholar academic veteran soldier
  officer member representative negotiator investigator prosecutor lawyer attorney executive
  manager director leader minister ambassador envoy staffer strategist planner pollster voter
  citizen local villager neighbour neighbor parent student protester protestor demonstrator
  survivor victim relative refugee volunteer organizer organiser campaigner advocate skeptic sceptic
  proponent backer detractor commander general colonel engineer specialist consultant trader
  investor banker owner shopkeeper driver pilot priest cleric
  insider participant attendee delegate onlooker bystander passenger customer patient mother father
  friend colleague counterpart partner ally rival militant fighter rebel separatist hardliner
  moderate conservative liberal progressive republican democrat hawk dove pundit blogger
  councillor councilor councilman councilwoman reviewer shopper homeowner tenant landlord
  firefighter paramedic medic coroner spokesmen spokeswomen boss chief author co-author retailer
  supplier producer exporter importer economist analyst lender borrower buyer seller
`);

/** Quantifier pronouns that can themselves be the (anonymous) source: "some argue", "by some". */
export const QUANTIFIER_SOURCES = words(`
  some many others several few most both another critics opponents supporters observers skeptics sceptics
`);

/** Determiners and quantifiers that open a described-but-unnamed source. */
export const DESCRIPTOR_DETERMINERS = words(`
  a an one two three four five six seven eight nine ten several some many most few other another
  certain various numerous multiple senior junior two-dozen dozens hundreds thousands the
`);

/** Nouns naming a text that can "say" something on its own. */
export const DOCUMENT_NOUNS = words(`
  report statement study survey poll document memo memorandum filing letter analysis assessment
  release communique communiqué dispatch article paper census audit review investigation bulletin
  broadcast editorial commentary transcript readout indictment complaint lawsuit ruling verdict
  decree order resolution draft estimate estimates data figures forecast email e-mail message notice
`);

/**
 * Messages whose author the noun does not give: "the email" is one identifiable text but of
 * unknown author (LABELLING.md: an email of unknown author is ANONYMOUS), unless an issuer is named.
 */
export const CORRESPONDENCE_NOUNS = words(`email e-mail message letter note`);

/** Institutions referred to by a common noun ("police said") count as organisations. */
export const INSTITUTION_NOUNS = words(`
  police government ministry military army navy kremlin pentagon company firm agency council
  committee commission court parliament cabinet office department embassy regulator prosecutors
  administration service theatre theater museum hospital school club airline union university
  institute operator manufacturer carrier bank board trust charity foundation group organisation
  organization ngo network association federation coalition city county town municipality
  authority
`);

/** Capitalised words that mark an organisation rather than a person. */
export const ORGANIZATION_WORDS = words(`
  agency ministry department council committee commission party bank company corporation corp inc
  ltd llc plc group university institute foundation association union office service police army navy
  forces force government administration parliament congress senate court kremlin pentagon news
  times post journal herald tribune gazette network fund authority organization organisation
  federation league alliance coalition board bureau centre center agency's press tv radio channel
  broadcaster newspaper television reuters bloomberg
`);

/** Outlets a speaker "tells" something to: the channel, not the speaker. */
export const MEDIA_WORDS = words(`
  reuters ap afp bloomberg bbc cnn abc cbs nbc fox npr pbs tass ria interfax xinhua yonhap kyodo
  dpa efe ansa sky al-jazeera aljazeera news agency newspaper tv television radio channel broadcaster
  magazine outlet times post journal herald tribune gazette telegraph guardian dispatch chronicle
  observer independent economist wire podcast
`);

/** Words that can never be part of a proper name even when capitalised at a sentence start. */
export const CAPITALISED_FUNCTION_WORDS = words(`
  the a an this that these those it its he she they we i you his her their our my your there here
  but and or yet so however meanwhile still also in on at for from by with of to into onto upon
  after before when while as if since although though because despite according during amid
  among speaking asked said says what which who whom whose where why how not no nor one
  indeed instead moreover furthermore nevertheless nonetheless then thus hence
`);

export const PRONOUNS = words(`he she they it we i`);

export const AUXILIARIES = words(`
  has have had will would could can may might should must shall did does do is was are were been
  be being also long already reportedly allegedly repeatedly consistently previously recently
  once again further still not never often openly publicly privately now later earlier
`);

/** Name particles that stay lowercase inside a name ("Ursula von der Leyen"). */
export const NAME_PARTICLES = words(`de da di del della der den van von bin bint ibn al el la le du dos das ter`);

/** Parenthetical adverbs that sit between a subject and its verb, set off by commas. */
export const PARENTHETICAL_ADVERBS = words(`
  however meanwhile too also though moreover furthermore nevertheless instead therefore indeed
  likewise similarly notably
`);

/** Words that begin a clause; a subject noun phrase starts after the nearest one. */
export const CLAUSE_OPENERS = words(`
  that as while when whereas because although though since if after before with but and what
  where whether unless until once so yet
`);

/** Sentence-initial subordinators: a source inside such a clause speaks only up to its comma. */
export const SUBORDINATORS = words(`while whereas although though as because since if when after before once`);

/** Trailing temporal adjuncts trimmed from a source descriptor ("... during the conflict"). */
export const TEMPORAL_PREPOSITIONS = words(`during since after before throughout amid until`);

/** Phrases in a relative clause that make a source's anonymity explicit; kept in the descriptor. */
export const ANONYMITY_CUES =
  /\b(anonymity|anonymously|not authori[sz]ed|on condition|unnamed|on background|without being (named|identified)|not (want |wish |wanting |wishing )?(to )?be (named|identified|quoted)|(declined|refused|asked|requested) (not )?to be (named|identified))\b/i;

/** Title words that are adjectives as often as offices ("general", "state"); alone they name no one. */
export const ADJECTIVAL_TITLES = words(`
  general state chief head foreign defense defence interior finance health economy acting deputy vice
  crown major prime sen rep gen col lt sgt capt maj adm
`);

/** Words ending like agent nouns (-er, -or, -ant, -ent) that name things, not people. */
export const NOT_AGENT_NOUNS = words(`
  number water paper power order border matter letter center centre winter summer other another major
  minor color colour error factor sector mirror floor door labor labour honor honour favor favour event
  moment content percent plant giant talent parliament president accident incident extent intent client
  patient weather cancer corner chapter quarter register monitor motor meter metre dinner prayer layer
  tower answer manner banner cluster disaster river silver fever lever whether together rather either
  neither however over under after ever never later former latter per
`);

/** Irregular simple-past forms: "Xi Jinping sent a letter", "the minister met ...". */
export const IRREGULAR_PAST = words(`
  sent gave made took met held told wrote said went came led left put set kept brought bought built
  began became won lost spoke saw found thought felt paid ran sat stood struck hit cut spent sold shut
  fell rose drew drove grew knew flew threw broke chose froze stole wore tore swore bore shook forgot
  got had did was were sought taught caught fought meant sent lent bent dealt heard understood
  withdrew overtook undertook oversaw foresaw
`);

/** Irregular past participles that open a participial phrase: "The letter, read aloud at ...". */
export const IRREGULAR_PARTICIPLES = words(`
  read written made held sent known seen given taken built led paid said told shown drawn driven
  chosen spoken broken hidden found left kept brought bought caught taught fought sought struck
`);

/** Adjectives that report a stance when said of a source: "Others were less enthusiastic". */
export const STANCE_ADJECTIVES = words(`
  enthusiastic sceptical skeptical critical supportive optimistic pessimistic concerned worried angry
  furious unhappy pleased divided impressed unimpressed convinced unconvinced opposed cautious wary
  confident doubtful hopeful frustrated disappointed alarmed upbeat dismissive
`);
