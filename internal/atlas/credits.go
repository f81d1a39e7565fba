package atlas

// Credits is the one-line attribution of the data (French), shown in
// TileJSON, PMTiles metadata and print maps; geodata/ATTRIBUTION has the
// full lines and licences.
const Credits = "Sources : jumelages © contributeurs de Wikipédia (CC BY-SA 4.0) via twincities (E. Hekman), Wikidata (CC0), contributeurs de Wikipédia en italien (CC BY-SA 4.0) ; lieux GeoNames (CC BY 4.0) ; " +
	"limites IGN ADMIN EXPRESS COG (Licence Ouverte) ; collectivités INSEE/DGCL (Licence Ouverte 2.0) ; pays Made with Natural Earth ; " +
	"complément synthétique généré par atlas (partenariats « synthetic » et projets)."
