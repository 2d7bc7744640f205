// Pages with no script of their own (a printable bulletin) show their times in the reader's own
// time zone too: the server renders them in UTC, since it cannot know the zone.

import { localizeTimes } from "./i18n.js";

localizeTimes();
