/**
 * ISO 3166-1 alpha-3 codes and English short names, mapped to alpha-2, for the 242 ISO regions
 * that have phone numbers in libphonenumber-js metadata (AC, TA and XK have no alpha-3 code).
 *
 * Generated from Debian's iso-codes 4.15.0-1 (/usr/share/iso-codes/json/iso_3166-1.json,
 * https://salsa.debian.org/iso-codes-team/iso-codes): fields alpha_3, alpha_2, name and
 * common_name; names lower-cased, accents and punctuation removed. Regenerate from that file
 * rather than editing by hand.
 */

/** Concatenated 5-letter records: alpha-3 then alpha-2 ("ABWAW" is Aruba). */
export const ALPHA3_TO_ALPHA2 =
  'ABWAWAFGAFAGOAOAIAAIALAAXALBALANDADAREAEARGARARMAMASMASATGAGAUSAUAUTATAZEAZBDIBIBELBEBENBJBESBQ' +
  'BFABFBGDBDBGRBGBHRBHBHSBSBIHBABLMBLBLRBYBLZBZBMUBMBOLBOBRABRBRBBBBRNBNBTNBTBWABWCAFCFCANCACCKCC' +
  'CHECHCHLCLCHNCNCIVCICMRCMCODCDCOGCGCOKCKCOLCOCOMKMCPVCVCRICRCUBCUCUWCWCXRCXCYMKYCYPCYCZECZDEUDE' +
  'DJIDJDMADMDNKDKDOMDODZADZECUECEGYEGERIERESHEHESPESESTEEETHETFINFIFJIFJFLKFKFRAFRFROFOFSMFMGABGA' +
  'GBRGBGEOGEGGYGGGHAGHGIBGIGINGNGLPGPGMBGMGNBGWGNQGQGRCGRGRDGDGRLGLGTMGTGUFGFGUMGUGUYGYHKGHKHNDHN' +
  'HRVHRHTIHTHUNHUIDNIDIMNIMINDINIOTIOIRLIEIRNIRIRQIQISLISISRILITAITJAMJMJEYJEJORJOJPNJPKAZKZKENKE' +
  'KGZKGKHMKHKIRKIKNAKNKORKRKWTKWLAOLALBNLBLBRLRLBYLYLCALCLIELILKALKLSOLSLTULTLUXLULVALVMACMOMAFMF' +
  'MARMAMCOMCMDAMDMDGMGMDVMVMEXMXMHLMHMKDMKMLIMLMLTMTMMRMMMNEMEMNGMNMNPMPMOZMZMRTMRMSRMSMTQMQMUSMU' +
  'MWIMWMYSMYMYTYTNAMNANCLNCNERNENFKNFNGANGNICNINIUNUNLDNLNORNONPLNPNRUNRNZLNZOMNOMPAKPKPANPAPERPE' +
  'PHLPHPLWPWPNGPGPOLPLPRIPRPRKKPPRTPTPRYPYPSEPSPYFPFQATQAREUREROURORUSRURWARWSAUSASDNSDSENSNSGPSG' +
  'SHNSHSJMSJSLBSBSLESLSLVSVSMRSMSOMSOSPMPMSRBRSSSDSSSTPSTSURSRSVKSKSVNSISWESESWZSZSXMSXSYCSCSYRSY' +
  'TCATCTCDTDTGOTGTHATHTJKTJTKLTKTKMTMTLSTLTONTOTTOTTTUNTNTURTRTUVTVTWNTWTZATZUGAUGUKRUAURYUYUSAUS' +
  'UZBUZVATVAVCTVCVENVEVGBVGVIRVIVNMVNVUTVUWLFWFWSMWSYEMYEZAFZAZMBZMZWEZW';

/** Normalised English names, "name=alpha-2" separated by |. */
export const COUNTRY_NAMES =
  'afghanistan=AF|aland islands=AX|albania=AL|algeria=DZ|american samoa=AS|andorra=AD|angola=AO|' +
  'anguilla=AI|antigua and barbuda=AG|argentina=AR|armenia=AM|aruba=AW|australia=AU|austria=AT|' +
  'azerbaijan=AZ|bahamas=BS|bahrain=BH|bangladesh=BD|barbados=BB|belarus=BY|belgium=BE|belize=BZ|' +
  'benin=BJ|bermuda=BM|bhutan=BT|bolivia plurinational state of=BO|bolivia=BO|' +
  'bonaire sint eustatius and saba=BQ|bosnia and herzegovina=BA|botswana=BW|brazil=BR|' +
  'british indian ocean territory=IO|brunei darussalam=BN|bulgaria=BG|burkina faso=BF|burundi=BI|' +
  'cabo verde=CV|cambodia=KH|cameroon=CM|canada=CA|cayman islands=KY|central african republic=CF|' +
  'chad=TD|chile=CL|china=CN|christmas island=CX|cocos keeling islands=CC|colombia=CO|comoros=KM|' +
  'congo the democratic republic of the=CD|congo=CG|cook islands=CK|costa rica=CR|' +
  'cote d ivoire=CI|croatia=HR|cuba=CU|curacao=CW|cyprus=CY|czechia=CZ|denmark=DK|djibouti=DJ|' +
  'dominica=DM|dominican republic=DO|ecuador=EC|egypt=EG|el salvador=SV|equatorial guinea=GQ|' +
  'eritrea=ER|estonia=EE|eswatini=SZ|ethiopia=ET|falkland islands malvinas=FK|faroe islands=FO|' +
  'fiji=FJ|finland=FI|france=FR|french guiana=GF|french polynesia=PF|gabon=GA|gambia=GM|' +
  'georgia=GE|germany=DE|ghana=GH|gibraltar=GI|greece=GR|greenland=GL|grenada=GD|guadeloupe=GP|' +
  'guam=GU|guatemala=GT|guernsey=GG|guinea bissau=GW|guinea=GN|guyana=GY|haiti=HT|' +
  'holy see vatican city state=VA|honduras=HN|hong kong=HK|hungary=HU|iceland=IS|india=IN|' +
  'indonesia=ID|iran islamic republic of=IR|iran=IR|iraq=IQ|ireland=IE|isle of man=IM|israel=IL|' +
  'italy=IT|jamaica=JM|japan=JP|jersey=JE|jordan=JO|kazakhstan=KZ|kenya=KE|kiribati=KI|' +
  'korea democratic people s republic of=KP|korea republic of=KR|kuwait=KW|kyrgyzstan=KG|' +
  'lao people s democratic republic=LA|laos=LA|latvia=LV|lebanon=LB|lesotho=LS|liberia=LR|' +
  'libya=LY|liechtenstein=LI|lithuania=LT|luxembourg=LU|macao=MO|madagascar=MG|malawi=MW|' +
  'malaysia=MY|maldives=MV|mali=ML|malta=MT|marshall islands=MH|martinique=MQ|mauritania=MR|' +
  'mauritius=MU|mayotte=YT|mexico=MX|micronesia federated states of=FM|moldova republic of=MD|' +
  'moldova=MD|monaco=MC|mongolia=MN|montenegro=ME|montserrat=MS|morocco=MA|mozambique=MZ|' +
  'myanmar=MM|namibia=NA|nauru=NR|nepal=NP|netherlands=NL|new caledonia=NC|new zealand=NZ|' +
  'nicaragua=NI|niger=NE|nigeria=NG|niue=NU|norfolk island=NF|north korea=KP|north macedonia=MK|' +
  'northern mariana islands=MP|norway=NO|oman=OM|pakistan=PK|palau=PW|palestine state of=PS|' +
  'panama=PA|papua new guinea=PG|paraguay=PY|peru=PE|philippines=PH|poland=PL|portugal=PT|' +
  'puerto rico=PR|qatar=QA|reunion=RE|romania=RO|russian federation=RU|rwanda=RW|' +
  'saint barthelemy=BL|saint helena ascension and tristan da cunha=SH|saint kitts and nevis=KN|' +
  'saint lucia=LC|saint martin french part=MF|saint pierre and miquelon=PM|' +
  'saint vincent and the grenadines=VC|samoa=WS|san marino=SM|sao tome and principe=ST|' +
  'saudi arabia=SA|senegal=SN|serbia=RS|seychelles=SC|sierra leone=SL|singapore=SG|' +
  'sint maarten dutch part=SX|slovakia=SK|slovenia=SI|solomon islands=SB|somalia=SO|' +
  'south africa=ZA|south korea=KR|south sudan=SS|spain=ES|sri lanka=LK|sudan=SD|suriname=SR|' +
  'svalbard and jan mayen=SJ|sweden=SE|switzerland=CH|syria=SY|syrian arab republic=SY|' +
  'taiwan province of china=TW|taiwan=TW|tajikistan=TJ|tanzania united republic of=TZ|tanzania=TZ|' +
  'thailand=TH|timor leste=TL|togo=TG|tokelau=TK|tonga=TO|trinidad and tobago=TT|tunisia=TN|' +
  'turkiye=TR|turkmenistan=TM|turks and caicos islands=TC|tuvalu=TV|uganda=UG|ukraine=UA|' +
  'united arab emirates=AE|united kingdom=GB|united states=US|uruguay=UY|uzbekistan=UZ|vanuatu=VU|' +
  'venezuela bolivarian republic of=VE|venezuela=VE|viet nam=VN|vietnam=VN|' +
  'virgin islands british=VG|virgin islands u s=VI|wallis and futuna=WF|western sahara=EH|' +
  'yemen=YE|zambia=ZM|zimbabwe=ZW';
