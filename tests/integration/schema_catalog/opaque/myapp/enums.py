"""An application's enum, used by a migration."""
import enum


class Color(enum.Enum):
    red = 1
    green = 2
    blue = 3
