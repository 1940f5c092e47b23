"""Extension objects, instantiated here and bound to the app in create_app()."""
from flask_jwt_extended import JWTManager
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_talisman import Talisman
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData

from app.core.api import Api
from app.core.db import NAMING_CONVENTION
from app.core.ratelimit import api_budget, not_an_api_request, rate_limit_key

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
jwt = JWTManager()
limiter = Limiter(
    key_func=rate_limit_key,
    application_limits=[api_budget],
    application_limits_exempt_when=not_an_api_request,
)
talisman = Talisman()
api = Api()
