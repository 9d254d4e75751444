"""Illustrative content of the 14 action fiches of the Loire CEJ 2014–2017. The seed article
gives only the count (14) and the three objectives; titles and texts are invented and plausible.
"""

OBJECTIVES = [
    (
        1,
        "Adéquation entre l'offre et la demande d'accueil : "
        "offre adaptée au regard des besoins identifiés",
    ),
    (
        2,
        "Favoriser la qualité de l'accueil : inscrire le lieu d'accueil dans une démarche qualité",
    ),
    (3, "Développer le partenariat, la mise en réseau, la communication"),
]

# The CDAJE's four aims, from the article (number, short label, full text)
AIMS = [
    (
        1,
        "Cohésion des politiques",
        "La cohésion des politiques et des actions en faveur de l'accueil des jeunes enfants "
        "dans le département",
    ),
    (
        2,
        "Développement et adaptation de l'accueil",
        "Le développement des modes d'accueil et leur adaptation aux besoins et contraintes "
        "des parents, en prenant en compte l'intérêt de l'enfant",
    ),
    (3, "Information des familles", "L'information et l'orientation des familles"),
    (4, "Égalité d'accès", "L'égalité d'accès aux modes d'accueil pour tous les enfants"),
]

FICHES = [
    # ------------------------------------------------------------------
    # Objectif 1 : adéquation entre l'offre et la demande d'accueil
    # ------------------------------------------------------------------
    {
        "number": 1,
        "objective": 1,
        "title": "Observer l'offre et les besoins d'accueil du jeune enfant",
        "findings": (
            "<p>Les données sur l'offre d'accueil (EAJE, assistants maternels agréés, MAM) "
            "sont dispersées entre le Conseil général (agréments PMI), la CAF (prestations, "
            "financements des établissements) et la MSA (familles du régime agricole).</p>"
            "<p>Les besoins des familles sont mal connus à l'échelle des bassins de vie, ce qui "
            "rend difficile le ciblage des créations de places.</p>"
        ),
        "goals": (
            "<ul>"
            "<li>Disposer d'un diagnostic partagé de l'offre et de la demande d'accueil à "
            "l'échelle des territoires.</li>"
            "<li>Identifier les territoires déficitaires et les besoins spécifiques "
            "(horaires atypiques, handicap, insertion).</li>"
            "<li>Éclairer les décisions de la CDAJE et des partenaires financeurs.</li>"
            "</ul>"
        ),
        "actions": (
            "<ul>"
            "<li>Constitution d'un observatoire départemental de la petite enfance animé par "
            "le chargé d'études de la CAF.</li>"
            "<li>Mise en commun annuelle des données d'agrément PMI, des données CAF et MSA "
            "et des taux d'occupation des EAJE.</li>"
            "<li>Production d'un tableau de bord par bassin de vie et d'un taux de couverture "
            "des besoins d'accueil.</li>"
            "</ul>"
        ),
        "target_public": (
            "<p>Élus et services des collectivités, gestionnaires d'EAJE, membres de la "
            "CDAJE, services des partenaires signataires.</p>"
        ),
        "calendar": (
            "<ul>"
            "<li><strong>2014</strong> : définition des indicateurs et des sources.</li>"
            "<li><strong>2015</strong> : premier tableau de bord départemental.</li>"
            "<li><strong>2016–2017</strong> : actualisation annuelle et présentation en "
            "séance plénière de la CDAJE.</li>"
            "</ul>"
        ),
        "indicators": (
            "<ul>"
            "<li>Tableau de bord publié chaque année (oui/non).</li>"
            "<li>Nombre de bassins de vie couverts par le diagnostic (objectif : 100 %).</li>"
            "<li>Taux de couverture des besoins d'accueil des enfants de moins de 3 ans "
            "par territoire.</li>"
            "</ul>"
        ),
        "lead": "caf",
        "associated": ["cg", "msa"],
        "aims": [1, 2],
        "budget_note": "Financement sur les crédits propres des partenaires, hors CEJ.",
    },
    {
        "number": 2,
        "objective": 1,
        "title": "Développer l'offre d'accueil dans les territoires ruraux déficitaires",
        "findings": (
            "<p>Plusieurs communautés de communes rurales ne disposent d'aucun établissement "
            "d'accueil du jeune enfant et d'un nombre d'assistants maternels en baisse, "
            "du fait des départs en retraite.</p>"
            "<p>Les familles, notamment celles relevant du régime agricole, y parcourent de "
            "longues distances pour faire garder leurs enfants.</p>"
        ),
        "goals": (
            "<ul>"
            "<li>Rééquilibrer l'offre d'accueil entre zones urbaines et rurales.</li>"
            "<li>Accompagner les collectivités rurales dans leurs projets de création de "
            "places (micro-crèches, multi-accueils, MAM).</li>"
            "</ul>"
        ),
        "actions": (
            "<ul>"
            "<li>Repérage des territoires prioritaires à partir du diagnostic de la "
            "fiche 1.</li>"
            "<li>Accompagnement technique des porteurs de projet par les conseillers "
            "petite enfance de la CAF et la PMI.</li>"
            "<li>Promotion du métier d'assistant maternel en lien avec les RAM et Pôle "
            "emploi.</li>"
            "</ul>"
        ),
        "target_public": (
            "<p>Communes et intercommunalités rurales, porteurs de projets associatifs, "
            "familles résidant en zone rurale, dont les familles du régime agricole.</p>"
        ),
        "calendar": (
            "<p>Repérage des territoires prioritaires en <strong>2014</strong>, "
            "accompagnement des projets de <strong>2015 à 2017</strong>, bilan en fin de "
            "contrat (<strong>2017</strong>).</p>"
        ),
        "indicators": (
            "<ul>"
            "<li>Nombre de places d'accueil collectif créées en zone rurale.</li>"
            "<li>Nombre de nouveaux assistants maternels agréés sur les territoires "
            "prioritaires.</li>"
            "<li>Évolution du taux de couverture des territoires déficitaires.</li>"
            "</ul>"
        ),
        "lead": "msa",
        "associated": ["caf", "cg"],
        "aims": [2, 4],
        "budget_note": (
            "Actions financées sur les crédits propres des partenaires, en dehors du CEJ "
            "départemental."
        ),
    },
    {
        "number": 3,
        "objective": 1,
        "title": "Répondre aux besoins d'accueil en horaires atypiques et en urgence",
        "findings": (
            "<p>Les parents travaillant en horaires décalés (industrie, santé, commerce, "
            "services à la personne) trouvent difficilement une solution d'accueil tôt le "
            "matin, tard le soir ou le week-end.</p>"
            "<p>Les demandes d'accueil en urgence (reprise d'emploi, formation, situation "
            "familiale difficile) restent souvent sans réponse.</p>"
        ),
        "goals": (
            "<ul>"
            "<li>Développer une offre d'accueil adaptée aux horaires atypiques.</li>"
            "<li>Organiser la réponse aux demandes d'accueil d'urgence.</li>"
            "</ul>"
        ),
        "actions": (
            "<ul>"
            "<li>Recensement des EAJE et des assistants maternels disposés à accueillir en "
            "horaires atypiques.</li>"
            "<li>Réservation de places d'urgence dans les multi-accueils volontaires.</li>"
            "<li>Expérimentation d'un accueil à domicile ou en horaires élargis sur un "
            "bassin d'emploi pilote.</li>"
            "</ul>"
        ),
        "target_public": (
            "<p>Parents travaillant en horaires décalés, parents en reprise d'emploi ou en "
            "formation, familles confrontées à une situation d'urgence.</p>"
        ),
        "calendar": (
            "<p><strong>2014–2015</strong> : recensement et identification d'un site pilote. "
            "<strong>2016</strong> : expérimentation. <strong>2017</strong> : évaluation et "
            "essaimage éventuel.</p>"
        ),
        "indicators": (
            "<ul>"
            "<li>Nombre de places ouvertes avant 7 h ou après 19 h.</li>"
            "<li>Nombre de demandes d'accueil d'urgence reçues et taux de réponse "
            "favorable.</li>"
            "<li>Délai moyen de réponse aux demandes d'urgence (en jours).</li>"
            "</ul>"
        ),
        "lead": "caf",
        "associated": ["cg"],
        "aims": [2],
        "budget_note": (
            "Pas de financement CEJ : l'action mobilise les crédits propres des partenaires."
        ),
    },
    {
        "number": 4,
        "objective": 1,
        "title": (
            "Accueillir les enfants en situation de handicap dans les établissements "
            "d'accueil du jeune enfant"
        ),
        "findings": (
            "<p>Les familles d'enfants en situation de handicap ou atteints de maladie "
            "chronique rencontrent des difficultés pour trouver une place en crèche.</p>"
            "<p>Les équipes des EAJE expriment le besoin d'un appui (temps de personnel "
            "supplémentaire, formation, lien avec les services de soins).</p>"
        ),
        "goals": (
            "<ul>"
            "<li>Favoriser l'accueil des enfants en situation de handicap en milieu "
            "ordinaire.</li>"
            "<li>Soutenir les établissements qui les accueillent.</li>"
            "</ul>"
        ),
        "actions": (
            "<ul>"
            "<li>Dispositif d'aide aux crèches pour le renfort de personnel lié à l'accueil "
            "d'un enfant en situation de handicap.</li>"
            "<li>Formation et sensibilisation des professionnels des EAJE.</li>"
            "<li>Articulation avec la PMI, les CAMSP et la MDPH pour l'élaboration d'un "
            "projet d'accueil individualisé.</li>"
            "</ul>"
        ),
        "target_public": (
            "<p>Enfants de moins de 6 ans en situation de handicap ou atteints de maladie "
            "chronique, leurs familles, les équipes des établissements d'accueil.</p>"
        ),
        "calendar": (
            "<p>Dispositif reconduit en <strong>2014</strong> dans le cadre de la convention "
            "annexe ; modalités de poursuite à définir pour <strong>2015–2017</strong> en "
            "lien avec les orientations du contrat.</p>"
        ),
        "indicators": (
            "<ul>"
            "<li>Nombre d'enfants en situation de handicap accueillis en EAJE.</li>"
            "<li>Nombre d'établissements bénéficiaires du dispositif.</li>"
            "<li>Nombre de professionnels formés.</li>"
            "</ul>"
        ),
        "lead": "cg",
        "associated": ["caf", "msa"],
        "aims": [2, 4],
        "budget_note": (
            "40 000 € en 2014 au titre de la convention annexe (dispositif d'accueil "
            "d'enfants handicapés dans les crèches), suite à définir pour 2015–2017."
        ),
    },
    {
        "number": 5,
        "objective": 1,
        "title": "Faciliter l'accès à l'accueil des familles en insertion et à faibles ressources",
        "findings": (
            "<p>Les familles à faibles ressources et les parents engagés dans un parcours "
            "d'insertion (bénéficiaires du RSA, familles monoparentales) sont "
            "sous-représentés parmi les enfants accueillis en EAJE.</p>"
            "<p>Le manque de solution d'accueil constitue un frein au retour à l'emploi.</p>"
        ),
        "goals": (
            "<ul>"
            "<li>Garantir l'égalité d'accès aux modes d'accueil.</li>"
            "<li>Lever le frein de la garde d'enfant dans les parcours d'insertion.</li>"
            "</ul>"
        ),
        "actions": (
            "<ul>"
            "<li>Sensibilisation des gestionnaires d'EAJE à l'accueil des familles en "
            "insertion (places réservées, critères d'attribution).</li>"
            "<li>Information des référents RSA et des travailleurs sociaux sur les modes "
            "d'accueil et le barème national des participations familiales.</li>"
            "<li>Mise en relation des familles avec les RAM pour l'accueil individuel.</li>"
            "</ul>"
        ),
        "target_public": (
            "<p>Parents bénéficiaires de minima sociaux, familles monoparentales, parents "
            "en formation ou en recherche d'emploi, travailleurs sociaux.</p>"
        ),
        "calendar": (
            "<p>Actions de sensibilisation en <strong>2014–2015</strong>, suivi annuel des "
            "places mobilisées de <strong>2015 à 2017</strong>.</p>"
        ),
        "indicators": (
            "<ul>"
            "<li>Part des enfants accueillis en EAJE issus de familles à bas revenus.</li>"
            "<li>Nombre de places réservées aux parents en insertion.</li>"
            "<li>Nombre de travailleurs sociaux informés.</li>"
            "</ul>"
        ),
        "lead": "cg",
        "associated": ["caf"],
        "aims": [4],
        "budget_note": "Financement assuré par les crédits propres des partenaires, hors CEJ.",
    },
    # ------------------------------------------------------------------
    # Objectif 2 : favoriser la qualité de l'accueil
    # ------------------------------------------------------------------
    {
        "number": 6,
        "objective": 2,
        "title": "Conforter les RAM et la professionnalisation des assistants maternels",
        "findings": (
            "<p>Les assistants maternels constituent le premier mode d'accueil du département. "
            "Une partie d'entre eux reste isolée et participe peu aux temps collectifs ou à "
            "la formation continue.</p>"
            "<p>La couverture du territoire par les relais assistants maternels (RAM) reste "
            "incomplète.</p>"
        ),
        "goals": (
            "<ul>"
            "<li>Étendre la couverture du département par les RAM.</li>"
            "<li>Développer la professionnalisation des assistants maternels.</li>"
            "</ul>"
        ),
        "actions": (
            "<ul>"
            "<li>Accompagnement à la création de RAM sur les territoires non couverts.</li>"
            "<li>Animation d'un réseau départemental des animateurs de RAM.</li>"
            "<li>Promotion de la formation continue et des ateliers d'éveil auprès des "
            "assistants maternels.</li>"
            "</ul>"
        ),
        "target_public": (
            "<p>Assistants maternels agréés, animateurs de RAM, parents employeurs.</p>"
        ),
        "calendar": (
            "<ul>"
            "<li><strong>2014</strong> : état des lieux de la couverture en RAM.</li>"
            "<li><strong>2015–2017</strong> : création de nouveaux relais et rencontres "
            "semestrielles du réseau.</li>"
            "</ul>"
        ),
        "indicators": (
            "<ul>"
            "<li>Part des communes couvertes par un RAM.</li>"
            "<li>Taux de participation des assistants maternels aux activités des RAM.</li>"
            "<li>Nombre d'assistants maternels ayant suivi une formation continue.</li>"
            "</ul>"
        ),
        "lead": "caf",
        "associated": ["cg", "msa"],
        "aims": [2, 3],
        "budget_note": "Financement sur les crédits propres de chaque partenaire, hors CEJ.",
    },
    {
        "number": 7,
        "objective": 2,
        "title": "Inscrire les établissements d'accueil du jeune enfant dans une démarche qualité",
        "findings": (
            "<p>Les pratiques des EAJE sont hétérogènes : projets d'établissement plus ou "
            "moins formalisés, place variable des parents, accès inégal à la formation des "
            "équipes.</p>"
        ),
        "goals": (
            "<ul>"
            "<li>Promouvoir une démarche qualité partagée dans les EAJE du département.</li>"
            "<li>Valoriser et diffuser les pratiques innovantes.</li>"
            "</ul>"
        ),
        "actions": (
            "<ul>"
            "<li>Élaboration d'un référentiel qualité départemental avec les gestionnaires "
            "et la PMI.</li>"
            "<li>Outil d'autodiagnostic proposé aux établissements.</li>"
            "<li>Journées d'échanges de pratiques entre directeurs d'EAJE.</li>"
            "</ul>"
        ),
        "target_public": (
            "<p>Gestionnaires, directeurs et équipes des crèches, multi-accueils et "
            "micro-crèches.</p>"
        ),
        "calendar": (
            "<p>Rédaction du référentiel en <strong>2015</strong>, diffusion de l'outil "
            "d'autodiagnostic en <strong>2016</strong>, premier bilan en "
            "<strong>2017</strong>.</p>"
        ),
        "indicators": (
            "<ul>"
            "<li>Nombre d'EAJE engagés dans la démarche qualité (objectif : 50 % des "
            "établissements en 2017).</li>"
            "<li>Nombre de journées d'échanges organisées et nombre de participants.</li>"
            "</ul>"
        ),
        "lead": "cg",
        "associated": ["caf"],
        "aims": [1, 2],
        "budget_note": "Action hors CEJ, financée sur les crédits propres des partenaires.",
    },
    {
        "number": 8,
        "objective": 2,
        "title": "Accompagner la création et le fonctionnement des maisons d'assistants maternels",
        "findings": (
            "<p>Les projets de maisons d'assistants maternels (MAM) se multiplient, en "
            "particulier en zone rurale, mais les porteurs de projet sont peu préparés aux "
            "questions juridiques, financières et d'organisation collective.</p>"
        ),
        "goals": (
            "<ul>"
            "<li>Sécuriser les projets de MAM et la qualité de l'accueil proposé.</li>"
            "<li>Harmoniser les pratiques d'instruction entre les partenaires.</li>"
            "</ul>"
        ),
        "actions": (
            "<ul>"
            "<li>Guide départemental à l'usage des porteurs de projet de MAM.</li>"
            "<li>Réunions d'information collectives animées par la PMI et la CAF.</li>"
            "<li>Suivi des MAM ouvertes et rattachement à un RAM.</li>"
            "</ul>"
        ),
        "target_public": (
            "<p>Assistants maternels porteurs de projet de MAM, communes sollicitées pour "
            "un local, parents employeurs.</p>"
        ),
        "calendar": (
            "<p>Guide diffusé en <strong>2015</strong> ; réunions d'information deux fois "
            "par an de <strong>2015 à 2017</strong>.</p>"
        ),
        "indicators": (
            "<ul>"
            "<li>Nombre de MAM ouvertes et nombre de places proposées.</li>"
            "<li>Nombre de porteurs de projet accompagnés.</li>"
            "<li>Part des MAM en lien avec un RAM.</li>"
            "</ul>"
        ),
        "lead": "cg",
        "associated": ["caf", "msa"],
        "aims": [2],
        "budget_note": (
            "Les partenaires financent cette action sur leurs crédits propres, hors CEJ."
        ),
    },
    {
        "number": 9,
        "objective": 2,
        "title": "Soutenir la parentalité dans les lieux d'accueil du jeune enfant",
        "findings": (
            "<p>Les lieux d'accueil sont un point de contact privilégié avec les parents, "
            "mais les professionnels se sentent parfois démunis face aux questions "
            "éducatives ou aux difficultés familiales.</p>"
        ),
        "goals": (
            "<ul>"
            "<li>Faire des EAJE et des RAM des lieux de soutien à la parentalité.</li>"
            "<li>Renforcer l'articulation avec les lieux d'accueil enfants-parents (LAEP) "
            "et le réseau d'écoute, d'appui et d'accompagnement des parents (REAAP).</li>"
            "</ul>"
        ),
        "actions": (
            "<ul>"
            "<li>Temps d'échanges et cafés des parents dans les lieux d'accueil.</li>"
            "<li>Formation des professionnels à l'accompagnement des parents.</li>"
            "<li>Recensement et diffusion des ressources parentalité par territoire.</li>"
            "</ul>"
        ),
        "target_public": (
            "<p>Parents de jeunes enfants, professionnels des EAJE et des RAM, animateurs "
            "de LAEP.</p>"
        ),
        "calendar": (
            "<p>Mise en place progressive de <strong>2015 à 2017</strong>, avec un bilan "
            "intermédiaire fin <strong>2016</strong>.</p>"
        ),
        "indicators": (
            "<ul>"
            "<li>Nombre de lieux d'accueil proposant des actions parentalité.</li>"
            "<li>Nombre de parents participants.</li>"
            "<li>Nombre de professionnels formés.</li>"
            "</ul>"
        ),
        "lead": "caf",
        "associated": ["msa"],
        "aims": [1, 3],
        "budget_note": "Financement hors CEJ, sur les crédits propres des partenaires.",
    },
    {
        "number": 10,
        "objective": 2,
        "title": "Promouvoir la prévention et l'éducation à la santé dans les lieux d'accueil",
        "findings": (
            "<p>Les professionnels de l'accueil sont demandeurs de repères communs en "
            "matière d'alimentation, de sommeil, d'hygiène, de prévention des accidents "
            "domestiques et de repérage précoce des troubles du développement.</p>"
        ),
        "goals": (
            "<ul>"
            "<li>Diffuser une culture commune de prévention santé auprès des "
            "professionnels.</li>"
            "<li>Renforcer le lien entre lieux d'accueil et services de PMI.</li>"
            "</ul>"
        ),
        "actions": (
            "<ul>"
            "<li>Fiches repères santé élaborées par la PMI et diffusées aux EAJE et aux "
            "assistants maternels.</li>"
            "<li>Sessions de sensibilisation animées par les puéricultrices et médecins de "
            "PMI.</li>"
            "<li>Actions de prévention en milieu rural portées par la MSA.</li>"
            "</ul>"
        ),
        "target_public": (
            "<p>Professionnels des EAJE, assistants maternels, parents de jeunes enfants.</p>"
        ),
        "calendar": (
            "<p>Élaboration des fiches repères en <strong>2015</strong>, sessions de "
            "sensibilisation en <strong>2016</strong> et <strong>2017</strong>.</p>"
        ),
        "indicators": (
            "<ul>"
            "<li>Nombre de fiches repères diffusées.</li>"
            "<li>Nombre de sessions organisées et de professionnels sensibilisés.</li>"
            "<li>Taux de satisfaction des participants.</li>"
            "</ul>"
        ),
        "lead": "cg",
        "associated": ["msa"],
        "aims": [2],
        "budget_note": "Financement sur crédits propres (PMI, MSA), en dehors du CEJ.",
    },
    # ------------------------------------------------------------------
    # Objectif 3 : partenariat, mise en réseau, communication
    # ------------------------------------------------------------------
    {
        "number": 11,
        "objective": 3,
        "title": "Animer la CDAJE et ses groupes de travail",
        "findings": (
            "<p>La commission départementale d'accueil des jeunes enfants (CDAJE) réunit "
            "l'ensemble des acteurs de la petite enfance, mais ses travaux entre deux "
            "séances plénières restent à structurer.</p>"
        ),
        "goals": (
            "<ul>"
            "<li>Faire de la CDAJE l'instance de pilotage et de suivi des orientations "
            "2014–2017.</li>"
            "<li>Associer les acteurs de terrain à travers des groupes de travail "
            "thématiques.</li>"
            "</ul>"
        ),
        "actions": (
            "<ul>"
            "<li>Une séance plénière par an présentant le bilan des 14 fiches.</li>"
            "<li>Groupes de travail thématiques (qualité, handicap, horaires atypiques, "
            "information des familles).</li>"
            "<li>Diffusion des comptes rendus aux membres et aux partenaires.</li>"
            "</ul>"
        ),
        "target_public": (
            "<p>Membres de la CDAJE : institutions, collectivités, gestionnaires, "
            "représentants des professionnels et des familles.</p>"
        ),
        "calendar": (
            "<p>Séance plénière chaque année de <strong>2014 à 2017</strong> ; groupes de "
            "travail réunis deux à trois fois par an.</p>"
        ),
        "indicators": (
            "<ul>"
            "<li>Nombre de réunions plénières et de groupes de travail tenus.</li>"
            "<li>Taux de participation des membres.</li>"
            "<li>Nombre de propositions issues des groupes de travail.</li>"
            "</ul>"
        ),
        "lead": "cg",
        "associated": ["caf", "msa"],
        "aims": [1],
        "budget_note": "Hors CEJ : l'animation relève des crédits propres des partenaires.",
    },
    {
        "number": 12,
        "objective": 3,
        "title": "Coordination départementale de la politique petite enfance",
        "findings": (
            "<p>La mise en oeuvre des orientations départementales suppose une coordination "
            "permanente entre les signataires et avec les collectivités porteuses de "
            "contrats enfance jeunesse locaux.</p>"
        ),
        "goals": (
            "<ul>"
            "<li>Assurer le pilotage opérationnel et le suivi des 14 fiches.</li>"
            "<li>Garantir la cohérence entre politique départementale et projets "
            "locaux.</li>"
            "</ul>"
        ),
        "actions": (
            "<ul>"
            "<li>Poste de coordination départementale petite enfance.</li>"
            "<li>Comité technique trimestriel réunissant le Conseil général, la CAF et "
            "la MSA.</li>"
            "<li>Suivi des indicateurs et préparation des bilans annuels du contrat.</li>"
            "</ul>"
        ),
        "target_public": (
            "<p>Services des partenaires signataires, collectivités locales, membres de la "
            "CDAJE.</p>"
        ),
        "calendar": (
            "<p>Action continue sur toute la durée du contrat, de <strong>2014</strong> à "
            "<strong>2017</strong>, avec un bilan annuel.</p>"
        ),
        "indicators": (
            "<ul>"
            "<li>Nombre de comités techniques réunis (objectif : 4 par an).</li>"
            "<li>Part des fiches disposant d'un bilan annuel renseigné (objectif : "
            "100 %).</li>"
            "</ul>"
        ),
        "lead": "cg",
        "associated": ["caf", "msa"],
        "aims": [1],
        "budget_note": (
            "Financé par le CEJ départemental, poste « coordination » : 120 000 € par an."
        ),
    },
    {
        "number": 13,
        "objective": 3,
        "title": "Informer et orienter les familles sur les modes d'accueil",
        "findings": (
            "<p>Les familles connaissent mal l'ensemble des modes d'accueil et les aides "
            "auxquelles elles peuvent prétendre. Les points d'information sont inégalement "
            "répartis sur le territoire.</p>"
        ),
        "goals": (
            "<ul>"
            "<li>Offrir à chaque famille une information complète et à jour.</li>"
            "<li>Orienter les familles vers le mode d'accueil adapté à leurs besoins.</li>"
            "</ul>"
        ),
        "actions": (
            "<ul>"
            "<li>Mise à jour et promotion du site <em>mon-enfant.fr</em> pour le "
            "département.</li>"
            "<li>Structuration d'un réseau de points d'information (RAM, mairies, centres "
            "médico-sociaux, agences CAF et MSA).</li>"
            "<li>Information systématique lors des consultations de PMI.</li>"
            "</ul>"
        ),
        "target_public": (
            "<p>Futurs parents et parents de jeunes enfants, en particulier les familles "
            "les plus éloignées de l'information.</p>"
        ),
        "calendar": (
            "<p>Mise à jour des données <em>mon-enfant.fr</em> dès <strong>2014</strong>, "
            "réseau de points d'information opérationnel en <strong>2016</strong>, "
            "évaluation en <strong>2017</strong>.</p>"
        ),
        "indicators": (
            "<ul>"
            "<li>Taux de mise à jour des fiches des structures sur <em>mon-enfant.fr</em>.</li>"
            "<li>Nombre de points d'information labellisés.</li>"
            "<li>Nombre de familles reçues ou renseignées.</li>"
            "</ul>"
        ),
        "lead": "caf",
        "associated": ["cg", "msa"],
        "aims": [3, 4],
        "budget_note": "Financement sur les crédits propres des partenaires, sans recours au CEJ.",
    },
    {
        "number": 14,
        "objective": 3,
        "title": "Plan de communication petite enfance",
        "findings": (
            "<p>Les actions des partenaires en faveur de la petite enfance sont peu "
            "visibles, aussi bien pour les familles que pour les élus et les "
            "professionnels.</p>"
        ),
        "goals": (
            "<ul>"
            "<li>Faire connaître la politique départementale petite enfance et le CEJ.</li>"
            "<li>Valoriser les métiers de la petite enfance.</li>"
            "</ul>"
        ),
        "actions": (
            "<ul>"
            "<li>Guide départemental des modes d'accueil destiné aux familles.</li>"
            "<li>Lettre d'information semestrielle à destination des professionnels et "
            "des élus.</li>"
            "<li>Campagne de promotion du métier d'assistant maternel.</li>"
            "</ul>"
        ),
        "target_public": (
            "<p>Familles, élus locaux, professionnels de la petite enfance, grand public.</p>"
        ),
        "calendar": (
            "<ul>"
            "<li><strong>2014</strong> : définition du plan de communication.</li>"
            "<li><strong>2015</strong> : édition du guide des modes d'accueil.</li>"
            "<li><strong>2016–2017</strong> : lettres d'information et campagne métier.</li>"
            "</ul>"
        ),
        "indicators": (
            "<ul>"
            "<li>Nombre de guides diffusés.</li>"
            "<li>Nombre de lettres d'information publiées (objectif : 2 par an).</li>"
            "<li>Nombre de candidatures à l'agrément d'assistant maternel après la "
            "campagne.</li>"
            "</ul>"
        ),
        "lead": "cg",
        "associated": ["caf", "msa"],
        "aims": [1, 3],
        "budget_note": (
            "Financé par le CEJ départemental, poste « communication » : 38 000 € par an."
        ),
    },
]
