"""Extension objects, bound to the app in create_app(). Instantiated here, except `db`
(core/db.py) and `limiter` (core/ratelimit.py), which core modules use themselves."""
from flask_jwt_extended import JWTManager
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_talisman import Talisman
from flask_wtf import CSRFProtect

from app.core.api import Api
from app.core.db import db
from app.core.ratelimit import limiter

__all__ = ["api", "csrf", "db", "jwt", "limiter", "login_manager", "migrate", "talisman"]

migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
jwt = JWTManager()
talisman = Talisman()
api = Api()
