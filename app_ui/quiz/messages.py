"""Every sentence the Class quiz page shows, in one place, as whole sentences.

Placeholders are named (``{correct} of {total} right``) so a translation can reorder them;
nothing here is glued from fragments. Method and model names are not translated.
"""

from __future__ import annotations

# --- the page ---------------------------------------------------------------------------
INTRO = (
    "Grad-CAM's authors tested their claims with people (Selvaraju et al., IJCV 2020, section "
    "5). In **class discrimination**, a photo holds two kinds of object; you see a picture a "
    "method made for one of them, without the photo, and say which one it shows. In **trust**, "
    "two models both name the right object; you see each one's picture and say which model "
    "seems more reliable. Take the quiz alone, or run it with a class and watch the paper's "
    "result appear (or not) on the projector."
)
ROLE_LABEL = "How are you taking part?"
ROLES = {"solo": "Alone", "teacher": "Teacher", "student": "Student"}
ROLE_HELP = (
    "Alone: 20 items, then your score beside the paper's. Teacher: create a room for a class and "
    "watch the answers arrive. Student: join a room with the code or link your teacher gives."
)
STORE_UNAVAILABLE = "The quiz database cannot be reached right now ({reason}). Try again shortly."

# --- items ------------------------------------------------------------------------------
PROGRESS = "Item {number} of {total}"
DISCRIMINATION_QUESTION = "This picture was made for one of two things in a photo. Which one?"
DISCRIMINATION_ALT = "A {method} picture made for one of two objects in a photo"
TRUST_CATEGORY = "Both models say this photo shows: {category}"
TRUST_QUESTION = "Which model is more reliable?"
TRUST_MODEL = "Model {position}"
TRUST_ALT = "Model {position}'s {method} picture"
TRUST_RATINGS = {
    2: "Model 1 is clearly more reliable",
    1: "Model 1 is slightly more reliable",
    0: "They are equally reliable",
    -1: "Model 2 is slightly more reliable",
    -2: "Model 2 is clearly more reliable",
}
SEND_RATING = "Send my rating"
CHOOSE_A_RATING = "Choose one of the five ratings first."
NEXT = "Next item"
RIGHT = "Right: this picture was made for **{truth}**."
WRONG = "Not this time: this picture was made for **{truth}**; you answered **{answer}**."
TRUST_REVEAL = (
    "Model 1 was **{model_1}** ({accuracy_1} % top-1 on ImageNet), model 2 **{model_2}** "
    "({accuracy_2} %). Your rating: {rating}."
)
PHOTO_CAPTION = "The photo: {title}"
METHOD_NOTE = "Method: {method}. {note}"
METHOD_NOTES = {
    "guided_backprop": (
        "It shows the photo's edges that raise the score, but nearly the same edges whichever "
        "class is asked: it is not class-discriminative."
    ),
    "guided_gradcam": (
        "Guided backprop multiplied by the Grad-CAM map: fine detail, kept only where the class's "
        "evidence is."
    ),
    "gradcam": "The photo seen through the Grad-CAM map of the class: coarse, but on the object.",
    "eigencam": (
        "Eigen-CAM uses no class at all: both questions on this photo showed the very same "
        "picture, so nobody can do better than a guess."
    ),
}
HEATMAP_NOTE = "The Grad-CAM map of the class alone, without the photo."
EIGEN_HEATMAP_NOTE = "Eigen-CAM's map alone: the same for both objects."

# --- sending answers --------------------------------------------------------------------
OUTCOMES = {
    "duplicate": "You have answered this item already; your first answer counts.",
    "closed": "This room is closed: it no longer takes answers.",
    "unknown_room": "This room no longer exists.",
    "unknown_student": "This page's place in the room was lost; join the room again.",
    "unknown_item": "That item is not one of yours; your answer was not stored.",
    "invalid_answer": "That answer is not one of the choices; it was not stored.",
}
TOO_FAST = "Not so fast: wait {seconds:.0f} s before the next answer."
PENDING = (
    "The database did not answer, so your answer is kept on this page and sent again every few "
    "seconds. Nothing is lost; please wait."
)
SEND_AGAIN = "Send it again now"
PENDING_SENT = "Your kept answer has been stored."

# --- the student ------------------------------------------------------------------------
JOIN_TITLE = "Join your class's room"
JOIN_CODE = "Room code"
JOIN_CODE_HELP = "Six letters and digits, on the projector (any case; spaces do not matter)."
JOIN_NICKNAME = "Nickname (optional)"
JOIN_NICKNAME_HELP = (
    "Shown to your teacher only, at most 24 characters. Leave it empty to stay a number. "
    "No name or other personal data is needed."
)
JOIN_BUTTON = "Join"
BAD_CODE = "That is not a room code: it has six letters and digits, like K7MX3P."
NO_SUCH_ROOM = "No open room has the code {code}. Check it on the projector."
ROOM_CLOSED = "Room {code} is closed: it no longer takes new students or answers."
JOIN_TOO_FAST = "Too many tries: wait {seconds:.0f} s before joining again."
WELCOME_NAMED = "You are student {number} in room {code}, as:"
WELCOME = "You are student {number} in room {code}."
RESUME_NOTE = "Keep this page's address to come back to your place if the page reloads."
FINISHED = "You have answered all {total} items. Thank you!"
YOUR_SCORE = "You picked the right object in {correct} of {total} class-discrimination items."
REVEALED = "Your teacher has revealed the class's results: look at the projector."
WAIT_FOR_RESULTS = "Your teacher will show the whole class's results on the projector."

# --- solo -------------------------------------------------------------------------------
SOLO_START = "Start a 20-item quiz"
SOLO_PREPARING = "Making the quiz's pictures on this server (once, then for everyone)…"
SOLO_WAITING = "Another visitor is making the quiz's pictures; they will appear here…"
SOLO_PROGRESS = "Photo {done} of {total}"
SOLO_DONE = "Your results, beside the paper's"
SOLO_SCORE = "{correct} of {total} right in class discrimination."
SOLO_AGAIN = "Take a new quiz"
SOLO_NOTE = (
    "With 4 items per method, a single person's intervals are wide: a class of 30 narrows them "
    "about fivefold. Run it with a class from the Teacher tab."
)

# --- results (solo and dashboard) -------------------------------------------------------
ACCURACY_TITLE = "Class discrimination: which object is it?"
TRUST_TITLE = "Trust: is the stronger model more reliable?"
TABLE_METHOD = "Method"
TABLE_ANSWERS = "Answers"
TABLE_ACCURACY = "Right"
TABLE_INTERVAL = "95 % interval"
TABLE_PAPER = "Paper"
TABLE_MEAN = "Mean rating for the stronger model"
PAPER_CHANCE = "chance: 50 %"
PAPER_NONE = "not tested"
ACCURACY_AXIS = "share of right answers"
TRUST_AXIS = "mean rating in favour of the stronger model (−2 to +2)"
ACCURACY_LEGEND = (
    "Bars: the answers here, with their 95 % interval (black line). Diamonds: the paper. "
    "Dashed line: chance (50 %), where a picture that ignores the class leaves everyone."
)
TRUST_LEGEND = (
    "Bars: the mean rating here, with its 95 % interval (black line); above 0, people trusted "
    "the stronger model more. Diamonds: the paper."
)
CHART_ALT = "Accuracy per method with 95 % intervals, beside the paper's figures"
TRUST_CHART_ALT = "Mean trust rating per method with 95 % intervals, beside the paper's"
NO_ANSWERS_YET = "No answers yet."
RESULTS_NOTE = (
    "Intervals: Wilson's for a share, Student's t for a mean (95 %). Each answer counts as a "
    "rating, as in the paper. Paper: VGG16 on PASCAL VOC, 43 workers (trust: VGG16 against "
    "AlexNet, 54 workers); here {discrimination_model} and {stronger} against {weaker}."
)
DIFFICULTY_TITLE = "Items, hardest first"
DIFFICULTY_ITEM = "Item"
DIFFICULTY_PHOTO = "Photo"
DIFFICULTY_SHOWN = "Made for"
DIFFICULTY_RIGHT = "Right"

# --- the teacher ------------------------------------------------------------------------
TEACHER_ACTION = "What would you like to do?"
TEACHER_ACTIONS = {"create": "Create a room", "open": "Open my room's dashboard"}
CREATE_TITLE = "A new room"
STUDY_DISCRIMINATION = "Class discrimination: methods"
STUDY_TRUST = "Trust: methods"
DISCRIMINATION_MODEL = "Model explained in class discrimination"
TRUST_MODELS = "The two models compared for trust"
TRUST_MODELS_HELP = (
    "Bundled and offline: EfficientNet-Lite2 ({lite2} % top-1 on ImageNet) against Lite0 "
    "({lite0} %), one family at two sizes: the widest gap among the models shipped with the "
    "app (the paper: VGG16 against AlexNet, about 71 against 57 %). Other models download "
    "their weights once. The more accurate one is always the 'stronger' model."
)
MODEL_OPTION = "{title} ({accuracy} % on ImageNet)"
PHOTOS = "Photos"
PHOTOS_HELP = "Two bundled photos with two objects each, and composites of the samples' objects."
ITEMS_PER_STUDENT = "Items per student"
MAP_VIEW = "How Grad-CAM and Eigen-CAM maps are shown"
MAP_VIEWS = {
    "masked": "The photo seen through the map",
    "heatmap": "The coloured map alone (harder)",
}
ROOM_DAYS = "Days before the room and its answers are deleted"
UPLOADS = "Your own photos with two objects (optional)"
UPLOADS_HELP = (
    "For each photo, name the two objects and pick the ImageNet class of each. Photos are "
    "deleted with the room."
)
UPLOAD_LABEL = "Object {position} in {file}"
UPLOAD_CLASS = "ImageNet class of object {position} in {file}"
UPLOAD_SAME_CLASS = "{file}: pick two different classes."
UPLOAD_INCOMPLETE = "{file}: pick an ImageNet class for both objects (it is left out until then)."
UPLOAD_REFUSED = "Could not use '{file}': {reason}"
CREATE_BUTTON = "Create the room"
NOTHING_TO_ASK = "Choose at least one method and one photo."
NO_METHOD = "Choose at least one method, in either study."
TRUST_SAME_MODEL = "Pick two different models for the trust study."
TRUST_SAME_ACCURACY = (
    "{first} and {second} have the same published ImageNet accuracy, so neither is the stronger "
    "model: pick two that differ."
)
BUILD_PROGRESS = "Pictures for {photo} with {model}"
BUILD_FAILED = "The room could not be made: {reason}"
LEFT_OUT = "Left out: {label} in '{photo}' ({model}'s Grad-CAM map does not lie on it)."
CREATED = "Room {code} is open with {items} items."
KEY_ONCE = (
    "Your teacher key, shown only now: **{key}**. Note it to open this dashboard from another "
    "device or after a reload; it is stored only as a hash and cannot be shown again."
)
KEY_NOTED = "I have noted the key"
OPEN_TITLE = "Your room's dashboard"
OPEN_CODE = "Room code"
OPEN_KEY = "Teacher key"
OPEN_BUTTON = "Open the dashboard"
WRONG_KEY = "That code and key do not open a room."
KEY_TOO_FAST = "Too many tries: wait {seconds:.0f} s."

# --- the dashboard ----------------------------------------------------------------------
DASHBOARD_CODE = "Join code"
JOIN_AT = "Students open **{link}** or go to the Class quiz page and type the code."
LOCALHOST_LINK = (
    "This link names this computer itself (localhost): students' phones cannot open it. Open "
    "the app by its network address (see README, Classroom over the LAN) or set "
    "GRADCAM_PUBLIC_URL."
)
QR_ALT = "QR code of the join link {link}"
STATUS_OPEN = "Open: taking answers until {expires}."
STATUS_CLOSED = "Closed: no new students or answers. Deleted on {expires}."
METRIC_STUDENTS = "Students"
METRIC_ANSWERS = "Answers"
METRIC_ITEMS = "Items in the room"
REVEAL = "Reveal the results"
HIDE = "Hide the results"
CLOSE = "Close the room"
REOPEN = "Reopen the room"
CSV = "Download the answers (CSV)"
DELETE_TITLE = "Delete this room"
DELETE_CONFIRM = "Yes, delete the room, its students and all their answers now"
DELETE_BUTTON = "Delete"
DELETED = "The room and all its answers are deleted."
HIDDEN = (
    "The results are hidden, so the projector does not sway anyone while they answer. Reveal "
    "them when the class is done."
)
PARTICIPANTS = "Students and their answers"
PARTICIPANT_NUMBER = "Student"
PARTICIPANT_NAME = "Nickname"
PARTICIPANT_ANSWERS = "Answers"
LIVE_NOTE = "Updated every {seconds} s from the database: every server of this class counts."
OTHER_ROOM = "Create or open another room"
