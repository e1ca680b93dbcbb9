"""Every sentence the Class quiz page shows, in one place, as whole sentences.

Placeholders are named (``{correct} of {total} right``) so a translation can reorder them;
nothing here is glued from fragments. Method and model names are not translated. Each one is
marked with ``N_`` (extracted into the ``app`` catalogue) and translated with ``_()`` where it is
shown, in the language of that run.
"""

from __future__ import annotations

from ..i18n import N_

# --- the page ---------------------------------------------------------------------------
INTRO = N_(
    "Grad-CAM's authors tested their claims with people (Selvaraju et al., IJCV 2020, section "
    "5). In **class discrimination**, a photo holds two kinds of object; you see a picture a "
    "method made for one of them, without the photo, and say which one it shows. In **trust**, "
    "two models both name the right object; you see each one's picture and say which model "
    "seems more reliable. Take the quiz alone, or run it with a class and watch the paper's "
    "result appear (or not) on the projector."
)
ROLE_LABEL = N_("How are you taking part?")
ROLES = {"solo": N_("Alone"), "teacher": N_("Teacher"), "student": N_("Student")}
ROLE_HELP = N_(
    "Alone: 20 items, then your score beside the paper's. Teacher: create a room for a class and "
    "watch the answers arrive. Student: join a room with the code or link your teacher gives."
)
STORE_UNAVAILABLE = N_(
    "The quiz database cannot be reached right now ({reason}). Try again shortly."
)

# --- items ------------------------------------------------------------------------------
PROGRESS = N_("Item {number} of {total}")
DISCRIMINATION_QUESTION = N_("This picture was made for one of two things in a photo. Which one?")
DISCRIMINATION_ALT = N_("A {method} picture made for one of two objects in a photo")
TRUST_CATEGORY = N_("Both models say this photo shows: {category}")
TRUST_QUESTION = N_("Which model is more reliable?")
TRUST_MODEL = N_("Model {position}")
TRUST_ALT = N_("Model {position}'s {method} picture")
TRUST_RATINGS = {
    2: N_("Model 1 is clearly more reliable"),
    1: N_("Model 1 is slightly more reliable"),
    0: N_("They are equally reliable"),
    -1: N_("Model 2 is slightly more reliable"),
    -2: N_("Model 2 is clearly more reliable"),
}
SEND_RATING = N_("Send my rating")
CHOOSE_A_RATING = N_("Choose one of the five ratings first.")
NEXT = N_("Next item")
RIGHT = N_("Right: this picture was made for **{truth}**.")
WRONG = N_("Not this time: this picture was made for **{truth}**; you answered **{answer}**.")
TRUST_REVEAL = N_(
    "Model 1 was **{model_1}** ({accuracy_1} % top-1 on ImageNet), model 2 **{model_2}** "
    "({accuracy_2} %). Your rating: {rating}."
)
PHOTO_CAPTION = N_("The photo: {title}")
METHOD_NOTE = N_("Method: {method}. {note}")
METHOD_NOTES = {
    "guided_backprop": N_(
        "It shows the photo's edges that raise the score, but nearly the same edges whichever "
        "class is asked: it is not class-discriminative."
    ),
    "guided_gradcam": N_(
        "Guided backprop multiplied by the Grad-CAM map: fine detail, kept only where the class's "
        "evidence is."
    ),
    "gradcam": N_(
        "The photo seen through the Grad-CAM map of the class: coarse, but on the object."
    ),
    "eigencam": N_(
        "Eigen-CAM uses no class at all: both questions on this photo showed the very same "
        "picture, so nobody can do better than a guess."
    ),
}
HEATMAP_NOTE = N_("The Grad-CAM map of the class alone, without the photo.")
EIGEN_HEATMAP_NOTE = N_("Eigen-CAM's map alone: the same for both objects.")
# TRANSLATORS: two whole sentences shown one after the other (a note, then the method's note).
TWO_SENTENCES = N_("{first} {second}")

# --- sending answers --------------------------------------------------------------------
OUTCOMES = {
    "duplicate": N_("You have answered this item already; your first answer counts."),
    "closed": N_("This room is closed: it no longer takes answers."),
    "unknown_room": N_("This room no longer exists."),
    "unknown_student": N_("This page's place in the room was lost; join the room again."),
    "unknown_item": N_("That item is not one of yours; your answer was not stored."),
    "invalid_answer": N_("That answer is not one of the choices; it was not stored."),
}
TOO_FAST = N_("Not so fast: wait {seconds:.0f} s before the next answer.")
PENDING = N_(
    "The database did not answer, so your answer is kept on this page and sent again every few "
    "seconds. Nothing is lost; please wait."
)
SEND_AGAIN = N_("Send it again now")
PENDING_SENT = N_("Your kept answer has been stored.")

# --- the student ------------------------------------------------------------------------
JOIN_TITLE = N_("Join your class's room")
JOIN_CODE = N_("Room code")
JOIN_CODE_HELP = N_("Six letters and digits, on the projector (any case; spaces do not matter).")
JOIN_NICKNAME = N_("Nickname (optional)")
JOIN_NICKNAME_HELP = N_(
    "Shown to your teacher only, at most 24 characters. Leave it empty to stay a number. "
    "No name or other personal data is needed."
)
JOIN_BUTTON = N_("Join")
BAD_CODE = N_("That is not a room code: it has six letters and digits, like K7MX3P.")
NO_SUCH_ROOM = N_("No open room has the code {code}. Check it on the projector.")
ROOM_CLOSED = N_("Room {code} is closed: it no longer takes new students or answers.")
JOIN_TOO_FAST = N_("Too many tries: wait {seconds:.0f} s before joining again.")
WELCOME_NAMED = N_("You are student {number} in room {code}, as:")
WELCOME = N_("You are student {number} in room {code}.")
RESUME_NOTE = N_("Keep this page's address to come back to your place if the page reloads.")
FINISHED = N_("You have answered all {total} items. Thank you!")
YOUR_SCORE = N_("You picked the right object in {correct} of {total} class-discrimination items.")
REVEALED = N_("Your teacher has revealed the class's results: look at the projector.")
WAIT_FOR_RESULTS = N_("Your teacher will show the whole class's results on the projector.")

# --- solo -------------------------------------------------------------------------------
SOLO_START = N_("Start a 20-item quiz")
SOLO_PREPARING = N_("Making the quiz's pictures on this server (once, then for everyone)…")
SOLO_WAITING = N_("Another visitor is making the quiz's pictures; they will appear here…")
SOLO_PROGRESS = N_("Photo {done} of {total}")
SOLO_DONE = N_("Your results, beside the paper's")
SOLO_SCORE = N_("{correct} of {total} right in class discrimination.")
SOLO_AGAIN = N_("Take a new quiz")
SOLO_NOTE = N_(
    "With 4 items per method, a single person's intervals are wide: a class of 30 narrows them "
    "about fivefold. Run it with a class from the Teacher tab."
)

# --- results (solo and dashboard) -------------------------------------------------------
ACCURACY_TITLE = N_("Class discrimination: which object is it?")
TRUST_TITLE = N_("Trust: is the stronger model more reliable?")
TABLE_METHOD = N_("Method")
TABLE_ANSWERS = N_("Answers")
TABLE_ACCURACY = N_("Right")
TABLE_INTERVAL = N_("95 % interval")
TABLE_PAPER = N_("Paper")
# TRANSLATORS: a 95 % interval of a mean rating, e.g. "+0.12 to +1.40".
TABLE_SPAN = N_("{low:+.2f} to {high:+.2f}")
CHART_ESTIMATE = N_("Here")
CHART_LOW = N_("Interval, low end")
CHART_HIGH = N_("Interval, high end")
TABLE_MEAN = N_("Mean rating for the stronger model")
PAPER_CHANCE = N_("chance: 50 %")
PAPER_NONE = N_("not tested")
ACCURACY_AXIS = N_("share of right answers")
TRUST_AXIS = N_("mean rating in favour of the stronger model (−2 to +2)")
ACCURACY_LEGEND = N_(
    "Bars: the answers here, with their 95 % interval (black line). Diamonds: the paper. "
    "Dashed line: chance (50 %), where a picture that ignores the class leaves everyone."
)
TRUST_LEGEND = N_(
    "Bars: the mean rating here, with its 95 % interval (black line); above 0, people trusted "
    "the stronger model more. Diamonds: the paper."
)
CHART_ALT = N_("Accuracy per method with 95 % intervals, beside the paper's figures")
TRUST_CHART_ALT = N_("Mean trust rating per method with 95 % intervals, beside the paper's")
NO_ANSWERS_YET = N_("No answers yet.")
RESULTS_NOTE = N_(
    "Intervals: Wilson's for a share, Student's t for a mean (95 %). Each answer counts as a "
    "rating, as in the paper. Paper: VGG16 on PASCAL VOC, 43 workers (trust: VGG16 against "
    "AlexNet, 54 workers); here {discrimination_model} and {stronger} against {weaker}."
)
DIFFICULTY_TITLE = N_("Items, hardest first")
DIFFICULTY_ITEM = N_("Item")
DIFFICULTY_PHOTO = N_("Photo")
DIFFICULTY_SHOWN = N_("Made for")
DIFFICULTY_RIGHT = N_("Right")

# --- the teacher ------------------------------------------------------------------------
TEACHER_ACTION = N_("What would you like to do?")
TEACHER_ACTIONS = {"create": N_("Create a room"), "open": N_("Open my room's dashboard")}
CREATE_TITLE = N_("A new room")
STUDY_DISCRIMINATION = N_("Class discrimination: methods")
STUDY_TRUST = N_("Trust: methods")
DISCRIMINATION_MODEL = N_("Model explained in class discrimination")
TRUST_MODELS = N_("The two models compared for trust")
TRUST_MODELS_HELP = N_(
    "Bundled and offline: EfficientNet-Lite2 ({lite2} % top-1 on ImageNet) against Lite0 "
    "({lite0} %), one family at two sizes: the widest gap among the models shipped with the "
    "app (the paper: VGG16 against AlexNet, about 71 against 57 %). Other models download "
    "their weights once. The more accurate one is always the 'stronger' model."
)
MODEL_OPTION = N_("{title} ({accuracy} % on ImageNet)")
PHOTOS = N_("Photos")
PHOTOS_HELP = N_(
    "Two bundled photos with two objects each, and composites of the samples' objects."
)
ITEMS_PER_STUDENT = N_("Items per student")
MAP_VIEW = N_("How Grad-CAM and Eigen-CAM maps are shown")
MAP_VIEWS = {
    "masked": N_("The photo seen through the map"),
    "heatmap": N_("The coloured map alone (harder)"),
}
ROOM_DAYS = N_("Days before the room and its answers are deleted")
UPLOADS = N_("Your own photos with two objects (optional)")
UPLOADS_HELP = N_(
    "For each photo, name the two objects and pick the ImageNet class of each. Photos are "
    "deleted with the room."
)
UPLOAD_LABEL = N_("Object {position} in {file}")
UPLOAD_CLASS = N_("ImageNet class of object {position} in {file}")
UPLOAD_SAME_CLASS = N_("{file}: pick two different classes.")
UPLOAD_INCOMPLETE = N_(
    "{file}: pick an ImageNet class for both objects (it is left out until then)."
)
UPLOAD_REFUSED = N_("Could not use '{file}': {reason}")
CREATE_BUTTON = N_("Create the room")
NOTHING_TO_ASK = N_("Choose at least one method and one photo.")
NO_METHOD = N_("Choose at least one method, in either study.")
TRUST_SAME_MODEL = N_("Pick two different models for the trust study.")
TRUST_SAME_ACCURACY = N_(
    "{first} and {second} have the same published ImageNet accuracy, so neither is the stronger "
    "model: pick two that differ."
)
BUILD_PROGRESS = N_("Pictures for {photo} with {model}")
BUILD_FAILED = N_("The room could not be made: {reason}")
LEFT_OUT = N_("Left out: {label} in '{photo}' ({model}'s Grad-CAM map does not lie on it).")
CREATED = N_("Room {code} is open with {items} items.")
KEY_ONCE = N_(
    "Your teacher key, shown only now: **{key}**. Note it to open this dashboard from another "
    "device or after a reload; it is stored only as a hash and cannot be shown again."
)
KEY_NOTED = N_("I have noted the key")
OPEN_TITLE = N_("Your room's dashboard")
OPEN_CODE = N_("Room code")
OPEN_KEY = N_("Teacher key")
OPEN_BUTTON = N_("Open the dashboard")
WRONG_KEY = N_("That code and key do not open a room.")
KEY_TOO_FAST = N_("Too many tries: wait {seconds:.0f} s.")

# --- the dashboard ----------------------------------------------------------------------
DASHBOARD_CODE = N_("Join code")
JOIN_AT = N_("Students open **{link}** or go to the Class quiz page and type the code.")
LOCALHOST_LINK = N_(
    "This link names this computer itself (localhost): students' phones cannot open it. Open "
    "the app by its network address (see README, Classroom over the LAN) or set "
    "GRADCAM_PUBLIC_URL."
)
QR_ALT = N_("QR code of the join link {link}")
STATUS_OPEN = N_("Open: taking answers until {expires}.")
STATUS_CLOSED = N_("Closed: no new students or answers. Deleted on {expires}.")
METRIC_STUDENTS = N_("Students")
METRIC_ANSWERS = N_("Answers")
METRIC_ITEMS = N_("Items in the room")
REVEAL = N_("Reveal the results")
HIDE = N_("Hide the results")
CLOSE = N_("Close the room")
REOPEN = N_("Reopen the room")
CSV = N_("Download the answers (CSV)")
DELETE_TITLE = N_("Delete this room")
DELETE_CONFIRM = N_("Yes, delete the room, its students and all their answers now")
DELETE_BUTTON = N_("Delete")
DELETED = N_("The room and all its answers are deleted.")
HIDDEN = N_(
    "The results are hidden, so the projector does not sway anyone while they answer. Reveal "
    "them when the class is done."
)
PARTICIPANTS = N_("Students and their answers")
PARTICIPANT_NUMBER = N_("Student")
PARTICIPANT_NAME = N_("Nickname")
PARTICIPANT_ANSWERS = N_("Answers")
LIVE_NOTE = N_("Updated every {seconds} s from the database: every server of this class counts.")
OTHER_ROOM = N_("Create or open another room")
