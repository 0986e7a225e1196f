"""Names for the benchmark's synthetic population: frequent French last and first names, most frequent
first, with the accents, hyphens, particles and apostrophes advisers actually type (or forget to type).

Last names are drawn from ``LAST_NAMES`` for part of the population and built from syllables for the
rest (``tail_last_name``), because real surnames have a very long tail: 300 names alone would make every
name far more frequent than in life, and the search far busier than it is.
"""

from __future__ import annotations

import random


def _words(text: str) -> list[str]:
    """Names written as running text (easier to read and edit than a list of quoted strings)."""
    return text.split()


LAST_NAMES = _words("""
Martin Bernard Thomas Petit Robert Richard Durand Dubois Moreau Laurent Simon Michel Lefèvre Leroy Roux
David Bertrand Morel Fournier Girard Bonnet Dupont Lambert Fontaine Rousseau Vincent Muller Lefebvre Faure
André Mercier Blanc Guérin Boyer Garnier Chevalier François Legrand Gauthier Garcia Perrin Robin Clément
Morin Nicolas Henry Roussel Mathieu Gautier Masson Marchand Duval Denis Dumont Marie Lemaire Noël Meyer
Dufour Meunier Brun Blanchard Giraud Joly Rivière Lucas Brunet Gaillard Barbier Arnaud Martinez Gérard
Roche Renard Schmitt Roy Leroux Colin Vidal Caron Picard Roger Fabre Aubert Lemoine Renaud Dumas Lacroix
Olivier Philippe Bourgeois Pierre Benoît Rey Leclerc Payet Rolland Leclercq Guillaume Lecomte Lopez Jean
Dupuy Guillot Hubert Berger Carpentier Sanchez Dupuis Moulin Louis Deschamps Huet Vasseur Perez Boucher
Fleury Royer Klein Jacquet Adam Paris Poirier Marty Aubry Guyot Carré Charles Renault Charpentier Ménard
Maillard Baron Bertin Bailly Hervé Schneider Fernandez Le_Gall Collet Léger Bouvier Julien Prévost Millet
Perrot Daniel Le_Roux Cousin Germain Breton Besson Langlois Rémy Le_Goff Pelletier Lévêque Perrier Leblanc
Barré Lebrun Marchal Weber Mallet Hamon Boulanger Jacob Monnier Michaud Rodriguez Guichard Gillet Étienne
Grondin Poulain Tessier Chevallier Collin Chauvin Da_Silva Bouchet Gay Lemaître Bénard Maréchal Humbert
Reynaud Antoine Hoarau Perret Barthélemy Cordier Pichon Lejeune Gilbert Lamy Delaunay Pasquier Carlier
Laporte N'Diaye Diallo Traoré Diop Camara Coulibaly Sow Ba Fofana Keïta Cissé Konaté Touré Sylla Bamba
Koné Dembélé Sissoko N'Guessan M'Barek Benali Benaïssa Bouzid Belkacem Haddad Mansouri Chérif Saïdi
Amrani El_Amrani Benyahia Hamidi Khelifi Boukhris Zeroual Messaoudi Rahmani Aït_Ahmed Nguyen Tran Pham
Dos_Santos Pereira Ferreira Rodrigues Fernandes Gonçalves Lopes Teixeira D'Almeida De_Oliveira De_Sousa
Yilmaz Kaya Demir Çelik Öztürk Kowalski Nowak Popescu Rossi Esposito D'Angelo de_la_Fontaine de_Villiers
Le_Bihan Le_Floch Le_Guen Le_Corre Le_Meur L'Hermitte Du_Pont de_La_Tour Van_den_Berg O'Neill
Jean-Baptiste Saint-Louis Jean-Louis Técher Nativel Sautron Dubois-Martin Saint-Martin Lévy Cohen
Benhamou Bensaïd Ouattara Kanté Dramé Soumaré Tall Niang Gueye Faye Ndiaye Mendy Gomis Sagna Badji
""")
LAST_NAMES = [name.replace("_", " ") for name in LAST_NAMES]  # "Le_Gall" → "Le Gall"

FIRST_NAMES = _words("""
Lucas Léa Enzo Manon Hugo Chloé Théo Camille Thomas Emma Nathan Inès Mathis Sarah Louis Océane Léo Jade
Clément Lola Maxime Clara Alexandre Lucie Antoine Anaïs Quentin Marie Baptiste Laura Romain Mathilde Tom
Julie Kylian Pauline Axel Justine Noah Marine Yanis Eva Mohamed Louise Adam Zoé Rayan Juliette Gabriel Lisa
Raphaël Romane Arthur Maëlys Jules Lilou Ethan Louna Matthieu Noémie Valentin Charlotte Florian Alice Dylan
Margaux Kévin Mélissa Bryan Morgane Jordan Élise Anthony Éloïse Nicolas Héloïse Julien Clémence Benjamin
Amandine Paul Élodie Victor Émilie Samuel Audrey Bastien Célia Corentin Maëva Loïc Alicia Gaëtan Coralie
Jérémy Cassandra Mickaël Kenza Killian Yasmine Evan Nour Timéo Lina Mathéo Amira Noé Salma Sacha Imane
Esteban Sabrina Matéo Fatoumata Liam Aminata Timothée Aïcha Aurélien Mariam Benoît Awa Cédric Fanta
Sébastien Kadiatou François Assa Jean Hawa Jean-Baptiste Aïssata Pierre Fatou Marc-Antoine Binta Younès
Myriam Amine Naïma Bilal Samira Ismaël Leïla Ibrahim Sofia Moussa Rania Mamadou Hajar Souleymane Nesrine
Oumar Sirine Abdoulaye Dounia Sékou Ambre Ousmane Jeanne Karim Agathe Mehdi Capucine Sofiane Apolline
Nassim Axelle Walid Maélie Hamza Ophélie Ayoub Gaëlle Yacine Solène Zakaria Typhaine Anis Nolwenn Ilyès
Maïwenn Samy Enora Ryan Anaëlle Wassim Bérénice Idriss Noëlle Malik Chloë Kenzo Zoë Ilan Maya Elias
Louane Naël Lou Ali Nina Omar Mila Issa Lana Djibril Ilona Aboubacar Éva Lamine Anna Cheikh Marie-Ange
Ange Marie-Lou Dorian Anne-Sophie Jason Laurie Steven Estelle Kélyan Floriane Loris Mélanie Mattéo Marion
Noa Aurélie Sami Jessica Adrien Vanessa Thibault Priscilla Rémi Kelly Tristan Cindy Erwan Sonia Gwendal
Shaïma Yann Chaïma Ronan Inaya Malo Maïssa Titouan Thaïs Alexis Naëlle Damien Loane Morgan Maëlle
Jonathan Candice Mathias Lilia Lenny Élena Ruben Héléna Thiago Célestine Luca Louisa Grégoire Émy Jérôme
Lyna Stéphane Léna Loïs Léonie Noam Victoire Wilfried Anaé Yohan Eléonore Johan Ludivine Kamel Soraya
""")


# Syllables of the long tail: "Bou" + "ri" + "nec" → "Bourinec"; tens of thousands of names.
_TAIL_START = _words(
    "Ker Bou Mar Ber Lan Gal Vil Mon Rou Cha Du Fer Gre Pel Cas Bel Mor Tal Lav Sau Jou Pou Car Ben Bra Dal "
    "Mes Tou Ri Val Cou Gou Sal Lab Hal Mal Pin Ros Bar Lem Quer Tre Che Gui Bro Fla Pra Dro Vau Bri"
)
_TAIL_MIDDLE = _words("la ri no ge bé ma ti ve lo su de ra ne mi co pa to ré chi gue sa vi bo lu fe ro da mé ni ta")
_TAIL_END = _words(
    "nec lard tier rot lin deau net rou gnac chet ville mont court vin ric teau lot rand gat bès nay gier "
    "mard leau zac rieu baud vert nès det quet mas let ron lès zet ty guet pied tel"
)


def tail_last_name(rng: random.Random) -> str:
    """A plausible rare surname (Kerlin, Bourinec, Le Romagnac…)."""
    name = rng.choice(_TAIL_START)
    if rng.random() < 0.4:
        name += rng.choice(_TAIL_MIDDLE)
    name += rng.choice(_TAIL_END)
    if rng.random() < 0.06:
        name = rng.choice(("Le ", "La ", "De ", "Du ")) + name
    return name


def zipf_cumulative_weights(count: int, exponent: float) -> list[float]:
    """Cumulative weights of ranks 1..count proportional to 1/rank**exponent (for ``random.choices``)."""
    total, cumulative = 0.0, []
    for rank in range(1, count + 1):
        total += rank**-exponent
        cumulative.append(total)
    return cumulative
