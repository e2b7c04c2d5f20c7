#!/usr/bin/python3
"""fake_tv.py LOG [NAME]: a small MPRIS player on the session bus, the "TV".

Owns org.mpris.MediaPlayer2.NAME (default: tv) and starts Playing.  Play,
Pause, PlayPause and Stop change its PlaybackStatus and send
PropertiesChanged, as a real player does.  Each call is appended to LOG as
"SECONDS METHOD" (CLOCK_REALTIME seconds), so a test can see who asked what
and when.  Ends on SIGTERM.
"""
import signal
import sys
import time

import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

PATH = "/org/mpris/MediaPlayer2"
ROOT = "org.mpris.MediaPlayer2"
PLAYER = "org.mpris.MediaPlayer2.Player"
PROPS = "org.freedesktop.DBus.Properties"


class TV(dbus.service.Object):
    def __init__(self, bus, log):
        super().__init__(bus, PATH)
        self.log = log
        self.status = "Playing"

    def note(self, what):
        with open(self.log, "a") as f:
            f.write("%.3f %s\n" % (time.time(), what))

    def set_status(self, status):
        self.status = status
        self.PropertiesChanged(PLAYER, {"PlaybackStatus": status}, [])

    @dbus.service.method(PLAYER)
    def Play(self):
        self.note("Play")
        self.set_status("Playing")

    @dbus.service.method(PLAYER)
    def Pause(self):
        self.note("Pause")
        self.set_status("Paused")

    @dbus.service.method(PLAYER)
    def PlayPause(self):
        self.note("PlayPause")
        self.set_status("Paused" if self.status == "Playing" else "Playing")

    @dbus.service.method(PLAYER)
    def Stop(self):
        self.note("Stop")
        self.set_status("Stopped")

    @dbus.service.method(ROOT)
    def Raise(self):
        pass

    @dbus.service.method(PROPS, in_signature="ss", out_signature="v")
    def Get(self, iface, prop):
        return self.GetAll(iface)[prop]

    @dbus.service.method(PROPS, in_signature="s", out_signature="a{sv}")
    def GetAll(self, iface):
        if iface == ROOT:
            return {"Identity": "TV", "CanQuit": False, "CanRaise": False,
                    "HasTrackList": False,
                    "SupportedUriSchemes": dbus.Array([], signature="s"),
                    "SupportedMimeTypes": dbus.Array([], signature="s")}
        return {"PlaybackStatus": self.status, "CanPlay": True, "CanPause": True,
                "CanControl": True, "CanGoNext": False, "CanGoPrevious": False,
                "CanSeek": False, "Rate": 1.0, "Volume": 1.0,
                "Position": dbus.Int64(0),
                "Metadata": dbus.Dictionary({"xesam:title": "the news"}, signature="sv")}

    @dbus.service.method(PROPS, in_signature="ssv")
    def Set(self, iface, prop, value):
        pass

    @dbus.service.signal(PROPS, signature="sa{sv}as")
    def PropertiesChanged(self, iface, changed, invalidated):
        pass


def main():
    DBusGMainLoop(set_as_default=True)
    bus = dbus.SessionBus()
    tv = TV(bus, sys.argv[1])
    name = dbus.service.BusName(ROOT + "." + (sys.argv[2] if len(sys.argv) > 2 else "tv"), bus)
    loop = GLib.MainLoop()
    signal.signal(signal.SIGTERM, lambda *a: loop.quit())
    tv.note("Start")
    loop.run()
    del name


if __name__ == "__main__":
    main()
