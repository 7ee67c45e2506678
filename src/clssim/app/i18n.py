"""Every word the app shows, in English and European Portuguese.

The app speaks the language chosen with ``clssim app --lang en|pt`` or its
EN/PT switch. Text lives here, not in the components, so that a teacher can
read (and correct) both languages side by side, and a test can check that no
key lacks a language and that both versions take the same ``{placeholders}``.

:func:`tr` looks a key up; :data:`SCENARIOS` holds each shipped scenario's
one-line description and its Info panel text; :data:`LEVER_HELP` the tooltip
of every lever (what it is, and which theory it touches).
"""

from __future__ import annotations

import string

__all__ = ["LANGS", "LEVER_HELP", "SCENARIOS", "STRINGS", "number", "placeholders", "tr"]

LANGS = ("en", "pt")

#: key → {language: text}; ``{name}`` placeholders are filled by :func:`tr`
STRINGS: dict[str, dict[str, str]] = {
    # ---------------------------------------------------------------- page
    "title": {
        "en": "clssim — proximity policing and Local Safety Contracts",
        "pt": "clssim — policiamento de proximidade e Contratos Locais de Segurança",
    },
    "language": {"en": "Language", "pt": "Idioma"},
    "scenario": {"en": "Scenario", "pt": "Cenário"},
    "shipped": {
        "en": "Scenario as shipped (ignore the levers)",
        "pt": "Cenário tal como vem (ignorar as alavancas)",
    },
    "reset": {"en": "Reset", "pt": "Reiniciar"},
    "play": {"en": "▶ Play", "pt": "▶ Reproduzir"},
    "pause": {"en": "⏸ Pause", "pt": "⏸ Pausa"},
    "step": {"en": "Step", "pt": "Passo"},
    "speed": {"en": "Speed", "pt": "Velocidade"},
    "speed_slow": {
        "en": "1 slot per frame, slow motion",
        "pt": "1 período por imagem, em câmara lenta",
    },
    "speed_slots": {"en": "{n} slots per frame", "pt": "{n} períodos por imagem"},
    "speed_one": {"en": "1 slot per frame", "pt": "1 período por imagem"},
    "speed_week": {
        "en": "{n} slots per frame (about {weeks} a frame)",
        "pt": "{n} períodos por imagem (cerca de {weeks} por imagem)",
    },
    "one_week": {"en": "a week", "pt": "uma semana"},
    "two_weeks": {"en": "two weeks", "pt": "duas semanas"},
    "run_to_day": {"en": "Run to day", "pt": "Correr até ao dia"},
    "run_to_end": {"en": "Run to the end", "pt": "Correr até ao fim"},
    "day": {"en": "Day", "pt": "Dia"},
    "run_length": {"en": "This run lasts {days} days.", "pt": "Esta simulação dura {days} dias."},
    "levers": {"en": "Levers", "pt": "Alavancas"},
    "changed": {
        "en": "Changed — press Reset to apply",
        "pt": "Alterado — prima Reiniciar para aplicar",
    },
    "levers_apply_on_reset": {
        "en": "Levers apply when you press Reset.",
        "pt": "As alavancas aplicam-se quando prime Reiniciar.",
    },
    "map_shows": {"en": "Map shows", "pt": "O mapa mostra"},
    "residents_by": {"en": "Residents coloured by", "pt": "Cor dos residentes"},
    "tab_plots": {"en": "Plots", "pt": "Gráficos"},
    "tab_log": {"en": "Run log", "pt": "Registo das simulações"},
    "tab_about": {"en": "About this scenario", "pt": "Sobre o cenário"},
    "download_csv": {"en": "Download CSV", "pt": "Descarregar CSV"},
    "log_empty": {
        "en": "No run yet: press ▶ Play, Step or Run to day.",
        "pt": "Ainda nenhuma simulação: prima ▶ Reproduzir, Passo ou Correr até ao dia.",
    },
    "log_running": {"en": "running", "pt": "em curso"},
    "log_help": {
        "en": "One row per run of this tab; the row of the current run is updated as it "
        "plays. Earlier runs are drawn as thin lines on the plots (#1, #2 …).",
        "pt": "Uma linha por simulação deste separador; a linha da simulação em curso é "
        "atualizada enquanto corre. As simulações anteriores aparecem nos gráficos como "
        "linhas finas (#1, #2 …).",
    },
    "file": {"en": "File", "pt": "Ficheiro"},
    # ---------------------------------------------------------------- values
    "random": {"en": "random", "pt": "aleatória"},
    "hotspot": {"en": "hotspot", "pt": "pontos quentes"},
    "beat": {"en": "beat", "pt": "giro (setor)"},
    "insecurity": {"en": "insecurity", "pt": "insegurança"},
    "trust": {"en": "trust", "pt": "confiança"},
    "none": {"en": "none", "pt": "nenhuma"},
    # ---------------------------------------------------------------- layers
    "layer_land_use": {"en": "land use", "pt": "uso do solo"},
    "layer_lighting": {"en": "lighting", "pt": "iluminação"},
    "layer_maintenance": {"en": "maintenance (disorder)", "pt": "manutenção (desordem)"},
    "layer_surveillance": {"en": "natural surveillance", "pt": "vigilância natural"},
    "layer_efficacy": {"en": "collective efficacy", "pt": "eficácia coletiva"},
    "layer_police": {
        "en": "police presence (last week)",
        "pt": "presença policial (última semana)",
    },
    "layer_crime_true": {
        "en": "recent crime, true (last 4 weeks)",
        "pt": "crime recente, real (últimas 4 semanas)",
    },
    "layer_crime_recorded": {
        "en": "recent crime, recorded (last 4 weeks)",
        "pt": "crime recente, registado (últimas 4 semanas)",
    },
    "unit_share": {"en": "0 = none, 1 = full", "pt": "0 = nada, 1 = total"},
    "unit_maintenance": {
        "en": "0 = neglected (disorder), 1 = well kept",
        "pt": "0 = ao abandono (desordem), 1 = bem cuidado",
    },
    "unit_police": {
        "en": "officer-slots per cell, decaying over a week",
        "pt": "períodos com agente por célula, a desvanecer ao longo de uma semana",
    },
    "unit_crime": {
        "en": "offences per cell, last 28 days",
        "pt": "crimes por célula, últimos 28 dias",
    },
    "scale_stretched": {
        "en": "stretched to the values present",
        "pt": "ajustada aos valores presentes",
    },
    # ---------------------------------------------------------------- legend
    "land_social_housing": {"en": "social housing", "pt": "habitação social"},
    "land_private_housing": {"en": "private housing", "pt": "habitação privada"},
    "land_commerce": {"en": "commerce", "pt": "comércio"},
    "land_school": {"en": "school", "pt": "escola"},
    "land_public_space": {"en": "public space", "pt": "espaço público"},
    "land_transit": {"en": "transit", "pt": "transportes"},
    "land_vacant": {"en": "vacant", "pt": "devoluto"},
    "land_nightlife": {"en": "nightlife", "pt": "diversão noturna"},
    "land_farm": {"en": "farm", "pt": "agrícola"},
    "mark_car": {"en": "officer (car)", "pt": "agente (carro)"},
    "mark_beat": {"en": "proximity officer", "pt": "agente de proximidade"},
    "mark_worker": {"en": "field worker", "pt": "técnico no terreno"},
    "mark_offences": {"en": "offences, last 7 days:", "pt": "crimes, últimos 7 dias:"},
    "mark_reported": {"en": "reported", "pt": "participado"},
    "mark_unreported": {"en": "not reported", "pt": "não participado"},
    "residents_scale": {"en": "residents: {what}", "pt": "residentes: {what}"},
    # ---------------------------------------------------------------- clock
    "night": {"en": "night", "pt": "noite"},
    "morning": {"en": "morning", "pt": "manhã"},
    "afternoon": {"en": "afternoon", "pt": "tarde"},
    "evening": {"en": "evening", "pt": "serão"},
    "weekdays": {"en": "Mon Tue Wed Thu Fri Sat Sun", "pt": "seg ter qua qui sex sáb dom"},
    "map_title": {
        "en": "Day {day}, {weekday}, {slot}",
        "pt": "Dia {day}, {weekday}, {slot}",
    },
    # ---------------------------------------------------------------- text panel
    "end_of_run": {
        "en": "<b>End of the run</b>: all {steps} steps ({days} days) simulated. Press "
        "<b>Reset</b> to run again; change a lever first to compare.",
        "pt": "<b>Fim da simulação</b>: simulados os {steps} passos ({days} dias). Prima "
        "<b>Reiniciar</b> para correr de novo; mude primeiro uma alavanca para comparar.",
    },
    "info_step": {
        "en": "<b>Step {step} of {steps}</b> — day {day} ({weekday}, {slot}); "
        "scenario <i>{name}</i>",
        "pt": "<b>Passo {step} de {steps}</b> — dia {day} ({weekday}, {slot}); "
        "cenário <i>{name}</i>",
    },
    "info_offences": {
        "en": "Offences so far: <b>{true} true</b>, <b>{recorded} recorded</b> (recording "
        "rate {rate}); last 7 days: {week_true} true, {week_recorded} recorded",
        "pt": "Crimes até agora: <b>{true} reais</b>, <b>{recorded} registados</b> (taxa de "
        "registo {rate}); últimos 7 dias: {week_true} reais, {week_recorded} registados",
    },
    "info_social": {
        "en": "Mean trust <b>{trust}</b>, mean insecurity <b>{insecurity}</b>; afraid "
        "(insecurity &gt; 0.5): <b>{afraid}</b> of residents, victimised so far: "
        "<b>{victimised}</b>",
        "pt": "Confiança média <b>{trust}</b>, insegurança média <b>{insecurity}</b>; com "
        "medo (insegurança &gt; 0,5): <b>{afraid}</b> dos residentes, vitimados até agora: "
        "<b>{victimised}</b>",
    },
    "info_officers": {
        "en": "Officers: {officers} ({proximity} on proximity beats), {on_duty} on duty "
        "in the last slot",
        "pt": "Agentes: {officers} ({proximity} em giros de proximidade), {on_duty} de "
        "serviço no último período",
    },
    "info_stage": {
        "en": "Contract stage: <b>{stage}</b> (of {stages})",
        "pt": "Fase do contrato: <b>{stage}</b> (de {stages})",
    },
    "stage_none": {"en": "not yet signed", "pt": "ainda não assinado"},
    "stage_diagnosis": {"en": "diagnosis", "pt": "diagnóstico"},
    "stage_plan": {"en": "plan", "pt": "plano"},
    "stage_implementation": {"en": "implementation", "pt": "execução"},
    "stage_monitoring": {"en": "monitoring", "pt": "acompanhamento"},
    "info_shipped": {
        "en": "Scenario as shipped: the levers are ignored (seed {seed}).",
        "pt": "Cenário tal como vem: as alavancas são ignoradas (semente {seed}).",
    },
    # ---------------------------------------------------------------- plots
    "plot_true": {"en": "true offences", "pt": "crimes reais"},
    "plot_recorded": {
        "en": "recorded (reported to police)",
        "pt": "registados (participados à polícia)",
    },
    "plot_per_week": {"en": "offences per week", "pt": "crimes por semana"},
    "plot_week_so_far": {
        "en": "hollow marker: the week so far",
        "pt": "marcador vazio: a semana em curso",
    },
    "plot_trust": {"en": "mean trust in police", "pt": "confiança na polícia"},
    "plot_insecurity": {"en": "mean insecurity", "pt": "insegurança média"},
    "plot_day": {"en": "day", "pt": "dia"},
    "plot_this_run": {"en": "this run (#{n})", "pt": "esta simulação (#{n})"},
    # ---------------------------------------------------------------- run log columns
    "col_run": {"en": "run", "pt": "simulação"},
    "col_scenario": {"en": "scenario", "pt": "cenário"},
    "col_seed": {"en": "seed", "pt": "semente"},
    "col_levers": {"en": "levers", "pt": "alavancas"},
    "col_day": {"en": "day", "pt": "dia"},
    "col_true": {"en": "true offences", "pt": "crimes reais"},
    "col_recorded": {"en": "recorded", "pt": "registados"},
    "col_rate": {"en": "recording rate", "pt": "taxa de registo"},
    "col_trust": {"en": "mean trust", "pt": "confiança média"},
    "col_insecurity": {"en": "mean insecurity", "pt": "insegurança média"},
    "col_afraid": {"en": "afraid", "pt": "com medo"},
    "col_victimised": {"en": "victimised", "pt": "vitimados"},
    "as_shipped": {"en": "as shipped", "pt": "tal como vem"},
    # ---------------------------------------------------------------- notes (clssim.app.teaching)
    "note_police_differ": {
        "en": "police levers differ from {name}'s file: {changes}; tick 'Scenario as shipped' "
        "to run the file as it is",
        "pt": "as alavancas da polícia diferem do ficheiro de {name}: {changes}; marque "
        "'Cenário tal como vem' para correr o ficheiro como está",
    },
    "note_change": {"en": "{name} {lever} (file: {own})", "pt": "{name} {lever} (ficheiro: {own})"},
    "lever_officers": {"en": "officers", "pt": "agentes"},
    "lever_strategy": {"en": "strategy", "pt": "estratégia"},
    "lever_procedural_justice": {"en": "procedural justice", "pt": "justiça procedimental"},
    "note_proximity_limited": {
        "en": "proximity officers limited to {free}: the force has {officers} officers",
        "pt": "agentes de proximidade limitados a {free}: o efetivo tem {officers} agentes",
    },
    "note_teaching_contract": {
        "en": "teaching contract: measures start on day {start}",
        "pt": "contrato de ensino: as medidas começam no dia {start}",
    },
    "note_join_plan": {
        "en": "lever measures join the scenario's contract plan",
        "pt": "as medidas das alavancas juntam-se ao plano do contrato do cenário",
    },
    "note_officers_raised": {
        "en": "officers raised to {staff}: the scenario's contract keeps {staff} officers for "
        "proximity work",
        "pt": "agentes aumentados para {staff}: o contrato do cenário reserva {staff} agentes "
        "para o trabalho de proximidade",
    },
    "note_shipped": {
        "en": "scenario as shipped: levers ignored",
        "pt": "cenário tal como vem: alavancas ignoradas",
    },
}

#: every lever: its label and its tooltip (what it is; which theory it touches)
LEVER_HELP: dict[str, dict[str, tuple[str, str]]] = {
    "officers": {
        "en": (
            "Officers",
            "Police officers in the force (shifts: about a quarter on duty at a time). "
            "Deterrence and guardianship: routine activity theory (Cohen & Felson 1979).",
        ),
        "pt": (
            "Agentes",
            "Agentes da polícia no efetivo (por turnos: cerca de um quarto de serviço de "
            "cada vez). Dissuasão e guarda: teoria das atividades rotineiras "
            "(Cohen & Felson 1979).",
        ),
    },
    "strategy": {
        "en": (
            "Patrol strategy",
            "Where the officers not on proximity beats patrol: at random, at the hot spots "
            "of recorded crime (hot-spot policing, Braga et al. 2019), or each on a fixed "
            "beat of the map.",
        ),
        "pt": (
            "Estratégia de patrulha",
            "Onde patrulham os agentes que não estão em giros de proximidade: ao acaso, nos "
            "pontos quentes da criminalidade registada (policiamento de pontos quentes, "
            "Braga et al. 2019) ou cada um no seu setor fixo do mapa.",
        ),
    },
    "proximity_officers": {
        "en": (
            "Proximity officers (on beats)",
            "Officers moved to proximity beats (the PSP's Proximity and Victim Support "
            "Programme): they stay in one quarter, visit homes and are fairer in contacts. "
            "Trust and community policing (Gill et al. 2014).",
        ),
        "pt": (
            "Agentes de proximidade (em giro)",
            "Agentes afetos a giros de proximidade (Programa Integrado de Policiamento de "
            "Proximidade da PSP): ficam num quarto do bairro, visitam casas e são mais "
            "justos nos contactos. Confiança e policiamento comunitário (Gill et al. 2014).",
        ),
    },
    "foot_share": {
        "en": (
            "Foot share of proximity officers",
            "Share of the proximity officers' time on foot rather than in a car: more "
            "contacts with residents (foot patrol, Ratcliffe et al. 2011).",
        ),
        "pt": (
            "Parte a pé dos agentes de proximidade",
            "Parte do tempo dos agentes de proximidade a pé em vez de no carro: mais "
            "contactos com os residentes (patrulha apeada, Ratcliffe et al. 2011).",
        ),
    },
    "procedural_justice": {
        "en": (
            "Procedural justice",
            "Share of stops, contacts and arrests the residents perceive as fair. Fair "
            "treatment builds trust and the willingness to report (Tyler 2006).",
        ),
        "pt": (
            "Justiça procedimental",
            "Parte das abordagens, contactos e detenções que os residentes sentem como "
            "justas. Um tratamento justo cria confiança e vontade de participar "
            "(Tyler 2006).",
        ),
    },
    "lighting": {
        "en": (
            "Street lighting (all streets)",
            "A lighting measure on every street, of this intensity: lit streets deter "
            "and gain natural surveillance. CPTED and situational prevention "
            "(Welsh & Farrington 2008).",
        ),
        "pt": (
            "Iluminação pública (todas as ruas)",
            "Uma medida de iluminação em todas as ruas, com esta intensidade: ruas "
            "iluminadas dissuadem e ganham vigilância natural. CPTED e prevenção "
            "situacional (Welsh & Farrington 2008).",
        ),
    },
    "youth_places": {
        "en": (
            "Youth programme places",
            "Places in a sport or music programme for the youths at risk the diagnosis "
            "finds. Criminal careers and desistance (social programmes, axis i of the CLS).",
        ),
        "pt": (
            "Vagas no programa para jovens",
            "Vagas num programa de desporto ou música para os jovens em risco que o "
            "diagnóstico identifica. Carreiras criminais e desistência (programas sociais, "
            "eixo i dos CLS).",
        ),
    },
    "elderly_visits": {
        "en": (
            "Isolated elderly visited",
            "Isolated elderly residents visited regularly by a partner. Fear of crime and "
            "social isolation (vulnerability, axis iii of the CLS).",
        ),
        "pt": (
            "Idosos isolados visitados",
            "Idosos isolados visitados regularmente por um parceiro. Medo do crime e "
            "isolamento social (vulnerabilidade, eixo iii dos CLS).",
        ),
    },
    "seed": {
        "en": (
            "Seed",
            "The random seed: the same levers and seed always give the same run; another "
            "seed shows chance variation.",
        ),
        "pt": (
            "Semente",
            "A semente aleatória: as mesmas alavancas e semente dão sempre a mesma "
            "simulação; outra semente mostra a variação ao acaso.",
        ),
    },
}

#: shipped scenario → language → (one-line description, Info panel text)
SCENARIOS: dict[str, dict[str, tuple[str, str]]] = {
    "neighbourhood": {
        "en": (
            "Default: a social-housing estate, 5,000 residents, 8 officers, no contract",
            "A generated social-housing estate of about 5,000 residents on 40 × 40 street "
            "segments of 50 m, eight officers on random patrol and no Local Safety "
            "Contract: the MAI Neighbourhood setting of the seed paper (estates around "
            "Lisbon and Porto). Demography follows the 2021 Census.",
        ),
        "pt": (
            "Base: um bairro de habitação social, 5 000 residentes, 8 agentes, sem contrato",
            "Um bairro de habitação social gerado, com cerca de 5 000 residentes em "
            "40 × 40 segmentos de rua de 50 m, oito agentes em patrulha aleatória e sem "
            "Contrato Local de Segurança: o contexto dos contratos MAI Bairro do artigo de "
            "partida (bairros à volta de Lisboa e do Porto). A demografia segue os Censos "
            "2021.",
        ),
    },
    "bairro_map": {
        "en": (
            "A hand-drawn Lisbon-periphery estate (map file), otherwise the default",
            "A hand-drawn social-housing estate of the Lisbon periphery (maps/bairro.txt) in "
            "place of the generated layout; everything else is the default neighbourhood. "
            "docs/maps.md explains the map format.",
        ),
        "pt": (
            "Um bairro da periferia de Lisboa desenhado à mão (mapa), o resto como na base",
            "Um bairro de habitação social da periferia de Lisboa desenhado à mão "
            "(maps/bairro.txt) em vez da planta gerada; tudo o resto é o bairro de base. "
            "O formato dos mapas está em docs/maps.md.",
        ),
    },
    "lisbon_baseline": {
        "en": (
            "Lisbon-periphery estate without a contract (3.2 years)",
            "The baseline arm of lisbon_neighbourhood: the same estate, people and seeds "
            "with no contract, so the two can be compared run for run. 5,000 residents, "
            "younger and poorer than the national mean, 8 PSP officers on car patrol.",
        ),
        "pt": (
            "Bairro da periferia de Lisboa sem contrato (3,2 anos)",
            "O braço de comparação de lisbon_neighbourhood: o mesmo bairro, as mesmas "
            "pessoas e sementes, sem contrato, para comparar simulação a simulação. "
            "5 000 residentes, mais jovens e mais pobres do que a média nacional, 8 agentes "
            "da PSP em patrulha auto.",
        ),
    },
    "lisbon_neighbourhood": {
        "en": (
            "The same estate with an MAI Neighbourhood contract from day 365",
            "A Local Safety Contract signed on day 365: diagnosis from recorded crime, a "
            "plan, then 18 months of measures — a youth programme, Escola Segura, police "
            "pedagogy, lighting and clean-up at the diagnosed hot spots, visits to "
            "isolated elderly, community meetings and four proximity officers (about "
            "€96,000 at catalogue costs). Compare with lisbon_baseline.",
        ),
        "pt": (
            "O mesmo bairro com um contrato MAI Bairro a partir do dia 365",
            "Um Contrato Local de Segurança assinado no dia 365: diagnóstico a partir da "
            "criminalidade registada, um plano e depois 18 meses de medidas — um programa "
            "para jovens, Escola Segura, pedagogia policial, iluminação e limpeza nos "
            "pontos quentes diagnosticados, visitas a idosos isolados, reuniões "
            "comunitárias e quatro agentes de proximidade (cerca de 96 000 € a custos de "
            "catálogo). Compare com lisbon_baseline.",
        ),
    },
    "national_portfolio": {
        "en": (
            "A contract mirroring the 2016–2019 national CLS portfolio",
            "27 small six-month measures in the proportions of the 280 initiatives of the "
            "national programme (juvenile delinquency, CPTED, social vulnerability, "
            "citizenship), plus two proximity officers; about €87,000. Compare with "
            "lisbon_baseline.",
        ),
        "pt": (
            "Um contrato à imagem da carteira nacional dos CLS de 2016–2019",
            "27 pequenas medidas de seis meses nas proporções das 280 iniciativas do "
            "programa nacional (delinquência juvenil, CPTED, vulnerabilidade social, "
            "cidadania), mais dois agentes de proximidade; cerca de 87 000 €. Compare com "
            "lisbon_baseline.",
        ),
    },
    "historic_centre": {
        "en": (
            "An old town centre: housing, cafés and bars, an ageing population",
            "A generated old-town layout of about 5,000 residents, like the historic "
            "parishes of Lisbon or Porto: mostly private housing mixed with dense "
            "commerce and a night-time economy, small households, more migrants and "
            "elderly people living alone.",
        ),
        "pt": (
            "Um centro histórico: habitação, cafés e bares, população envelhecida",
            "Uma planta de centro histórico gerada, com cerca de 5 000 residentes, como as "
            "freguesias históricas de Lisboa ou do Porto: sobretudo habitação privada "
            "misturada com comércio denso e diversão noturna, agregados pequenos, mais "
            "imigrantes e idosos a viver sós.",
        ),
    },
    "tourist_strip": {
        "en": (
            "An Algarve-like seaside town in the low season",
            "A generated seaside town of about 5,000 residents: housing and holiday flats, "
            "a commercial and nightlife core and a beach promenade; 20 % migrants (Census "
            "2021, Albufeira). No tourists: the resident population in the low season.",
        ),
        "pt": (
            "Uma vila de praia do Algarve na época baixa",
            "Uma vila de praia gerada, com cerca de 5 000 residentes: habitação e "
            "apartamentos de férias, um centro de comércio e diversão noturna e um passeio "
            "marítimo; 20 % de imigrantes (Censos 2021, Albufeira). Sem turistas: a "
            "população residente na época baixa.",
        ),
    },
    "algarve_baseline": {
        "en": (
            "The seaside town with 6,000 summer tourists, no contract (3.2 years)",
            "The tourist strip with 6,000 tourists each summer (June to September) on the "
            "promenade, in shops and bars: the baseline arm of algarve_municipality.",
        ),
        "pt": (
            "A vila de praia com 6 000 turistas no verão, sem contrato (3,2 anos)",
            "A vila de praia com 6 000 turistas em cada verão (junho a setembro) no passeio "
            "marítimo, nas lojas e nos bares: o braço de comparação de "
            "algarve_municipality.",
        ),
    },
    "algarve_municipality": {
        "en": (
            "The seaside town with an MAI Municipality contract",
            "A municipal contract (16 of the 17 are in the Algarve): lighting, clean-up and "
            "urban art at the nightlife and promenade hot spots, foot beats with "
            "procedural-justice training, migrant integration and domestic-violence "
            "awareness; €150,000 over 18 months. Compare with algarve_baseline.",
        ),
        "pt": (
            "A vila de praia com um contrato MAI Município",
            "Um contrato municipal (16 dos 17 são no Algarve): iluminação, limpeza e arte "
            "urbana nos pontos quentes da diversão noturna e do passeio marítimo, giros a "
            "pé com formação em justiça procedimental, integração de imigrantes e "
            "sensibilização para a violência doméstica; 150 000 € em 18 meses. Compare com "
            "algarve_baseline.",
        ),
    },
    "rural_town": {
        "en": (
            "A small Alentejo town among farmland, 2,500 residents, 4 officers",
            "A generated Serpa-like town: a compact centre of private housing with a little "
            "commerce and social housing, among fields and olive groves; 2,500 residents "
            "and four officers (rural Portugal is policed by the GNR).",
        ),
        "pt": (
            "Uma pequena vila alentejana entre campos, 2 500 residentes, 4 agentes",
            "Uma vila gerada à imagem de Serpa: um centro compacto de habitação privada com "
            "algum comércio e habitação social, entre campos e olivais; 2 500 residentes e "
            "quatro militares (o Portugal rural é policiado pela GNR).",
        ),
    },
    "serpa_baseline": {
        "en": (
            "The rural town with 1,200 olive-harvest workers each winter, no contract",
            "Each year from mid-October to mid-January 1,200 migrant harvest workers work "
            "on the farms by day and sleep in overcrowded lodgings: the baseline arm of "
            "serpa_citizen.",
        ),
        "pt": (
            "A vila rural com 1 200 trabalhadores da apanha da azeitona, sem contrato",
            "Todos os anos, de meados de outubro a meados de janeiro, 1 200 trabalhadores "
            "imigrantes da apanha trabalham nos campos de dia e dormem em alojamentos "
            "sobrelotados: o braço de comparação de serpa_citizen.",
        ),
    },
    "serpa_citizen": {
        "en": (
            "The rural town with an MAI Citizen contract for the harvest",
            "A short, targeted contract: outreach and rights information for migrant "
            "workers, two proximity officers, lighting at the ten diagnosed hot spots and "
            "community meetings; €30,000 over 12 months. Compare with serpa_baseline.",
        ),
        "pt": (
            "A vila rural com um contrato MAI Cidadão para a apanha",
            "Um contrato curto e dirigido: informação e apoio aos direitos dos "
            "trabalhadores imigrantes, dois agentes de proximidade, iluminação nos dez "
            "pontos quentes diagnosticados e reuniões comunitárias; 30 000 € em 12 meses. "
            "Compare com serpa_baseline.",
        ),
    },
    "helsinki": {
        "en": (
            "The default neighbourhood on a real map: central Helsinki (OpenStreetMap)",
            "Central Helsinki imported from OpenStreetMap (© OpenStreetMap contributors, "
            "ODbL) at 25 m cells; residents follow the home buildings' floor area, lighting "
            "comes from the street lamps mapped. A lit, commercial centre, unlike the "
            "estates the defaults describe.",
        ),
        "pt": (
            "O bairro de base num mapa real: o centro de Helsínquia (OpenStreetMap)",
            "O centro de Helsínquia importado do OpenStreetMap (© contribuidores do "
            "OpenStreetMap, ODbL) em células de 25 m; os residentes seguem a área dos "
            "edifícios de habitação e a iluminação vem dos candeeiros mapeados. Um centro "
            "iluminado e comercial, ao contrário dos bairros que os valores de base "
            "descrevem.",
        ),
    },
}


def placeholders(text: str) -> set[str]:
    """The ``{names}`` a text takes."""
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def tr(key: str, lang: str = "en", **values) -> str:
    """The text of ``key`` in ``lang`` (English if ``lang`` is unknown), filled in."""
    texts = STRINGS[key]
    text = texts.get(lang, texts["en"])
    return text.format(**values) if values else text


def number(x: float, lang: str = "en", digits: int = 0, percent: bool = False) -> str:
    """``x`` as the language writes it: 1,234.5 (en) or 1 234,5 (pt); ``percent``
    multiplies by 100 and adds " %" (pt) or "%" (en)."""
    if x != x:  # NaN
        return "–"
    value = x * 100 if percent else x
    text = f"{value:,.{digits}f}"
    if lang == "pt":
        text = text.replace(",", " ").replace(".", ",")
    if percent:
        text += " %" if lang == "pt" else "%"
    return text
