"""English dates as in Britain ("25 Oct 2006", "25/10/2006"), not Django's US defaults; French
keeps Django's own fr formats, since no module here names it."""

from django.conf.locale.en_GB.formats import *  # noqa: F403
