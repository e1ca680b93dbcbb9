"""Class quiz: Grad-CAM's two human studies, taken alone or run live with a class."""

from __future__ import annotations

from app_ui import controls, pages_folder
from app_ui.quiz import dashboard, roles, solo, student, teacher

pages_folder.run_through_entrypoint()
presenter = controls.presenter_mode()
role = roles.choose()

if role == "student":
    student.section()
elif role == "teacher":
    room = teacher.current_room()
    if room is None:
        roles.teacher_entry()
    else:
        dashboard.section(room, presenter)
        roles.other_room_button()
else:
    solo.section(presenter)
