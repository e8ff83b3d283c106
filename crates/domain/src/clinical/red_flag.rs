//! Red flags: findings that may point to serious disease behind a musculoskeletal or primary-care complaint
//! and call for urgent assessment or referral.
//!
//! The catalogue is this enum, kept in the repository so every clinic uses the same codes. It follows the
//! red flags of the usual low back pain and spinal screening guidance (cauda equina syndrome, malignancy,
//! infection, fracture, inflammatory disease). A recorded flag is a prompt to think, not a diagnosis.

coded_enum!(
    /// A red flag from the catalogue. [`RedFlag::name`] is its English name and [`RedFlag::why`] why it
    /// matters.
    RedFlag, RedFlagError, "unknown_red_flag",
    "Unknown red flag. The codes are saddle_anaesthesia, bladder_bowel_dysfunction, \
     progressive_neurological_deficit, unexplained_weight_loss, history_of_cancer, fever, major_trauma, \
     night_pain, age_over_50_new_back_pain, age_under_20_new_back_pain, immunosuppression, \
     long_term_corticosteroids, thoracic_pain, structural_deformity, iv_drug_use and systemically_unwell.",
    {
        SaddleAnaesthesia => "saddle_anaesthesia",
        BladderBowelDysfunction => "bladder_bowel_dysfunction",
        ProgressiveNeurologicalDeficit => "progressive_neurological_deficit",
        UnexplainedWeightLoss => "unexplained_weight_loss",
        HistoryOfCancer => "history_of_cancer",
        Fever => "fever",
        MajorTrauma => "major_trauma",
        NightPain => "night_pain",
        AgeOver50NewBackPain => "age_over_50_new_back_pain",
        AgeUnder20NewBackPain => "age_under_20_new_back_pain",
        Immunosuppression => "immunosuppression",
        LongTermCorticosteroids => "long_term_corticosteroids",
        ThoracicPain => "thoracic_pain",
        StructuralDeformity => "structural_deformity",
        IvDrugUse => "iv_drug_use",
        SystemicallyUnwell => "systemically_unwell",
    }
);

impl RedFlag {
    /// Reads a code as sent by a client or stored in the database.
    pub fn parse(code: &str) -> Result<Self, RedFlagError> {
        code.parse()
    }

    /// The English name, as the warning and the user interface show it.
    pub const fn name(self) -> &'static str {
        match self {
            Self::SaddleAnaesthesia => "saddle anaesthesia",
            Self::BladderBowelDysfunction => "new bladder or bowel dysfunction",
            Self::ProgressiveNeurologicalDeficit => "progressive neurological deficit",
            Self::UnexplainedWeightLoss => "unexplained weight loss",
            Self::HistoryOfCancer => "history of cancer",
            Self::Fever => "fever",
            Self::MajorTrauma => "major trauma",
            Self::NightPain => "night pain",
            Self::AgeOver50NewBackPain => "age over 50 with new back pain",
            Self::AgeUnder20NewBackPain => "age under 20 with new back pain",
            Self::Immunosuppression => "immunosuppression",
            Self::LongTermCorticosteroids => "long-term corticosteroid use",
            Self::ThoracicPain => "thoracic pain",
            Self::StructuralDeformity => "structural deformity",
            Self::IvDrugUse => "intravenous drug use",
            Self::SystemicallyUnwell => "systemically unwell",
        }
    }

    /// Why the flag matters: the serious conditions it may point to.
    pub const fn why(self) -> &'static str {
        match self {
            Self::SaddleAnaesthesia => {
                "Numbness around the anus, perineum or genitals suggests cauda equina \
                 syndrome, a surgical emergency."
            }
            Self::BladderBowelDysfunction => {
                "New retention, incontinence or loss of sensation when passing \
                 urine or stool suggests cauda equina syndrome."
            }
            Self::ProgressiveNeurologicalDeficit => {
                "Weakness or numbness that is spreading or worsening \
                 suggests nerve or spinal cord compression."
            }
            Self::UnexplainedWeightLoss => {
                "Weight lost without trying suggests malignancy or chronic \
                 infection."
            }
            Self::HistoryOfCancer => {
                "A past cancer raises the likelihood that new pain is a metastasis, \
                 above all in the spine."
            }
            Self::Fever => {
                "Fever with pain suggests infection such as discitis, osteomyelitis or a spinal \
                 abscess."
            }
            Self::MajorTrauma => {
                "A fall from height or a road traffic collision can fracture or dislocate \
                 the spine."
            }
            Self::NightPain => {
                "Pain that does not ease with rest or position and wakes the patient suggests \
                 tumour or infection."
            }
            Self::AgeOver50NewBackPain => {
                "New back pain after 50 is more often due to malignancy, fracture \
                 or aneurysm."
            }
            Self::AgeUnder20NewBackPain => {
                "New back pain before 20 is more often structural, such as \
                 spondylolysis, or due to tumour or infection."
            }
            Self::Immunosuppression => {
                "A weakened immune system raises the risk of spinal and joint \
                 infection."
            }
            Self::LongTermCorticosteroids => {
                "Long-term steroids cause osteoporosis, so minor trauma can \
                 fracture a vertebra, and raise the risk of infection."
            }
            Self::ThoracicPain => {
                "Pain in the thoracic spine is more often due to malignancy, fracture, \
                 infection or a cardiac or aortic cause."
            }
            Self::StructuralDeformity => {
                "A new or progressing deformity suggests fracture, tumour or \
                 inflammatory disease."
            }
            Self::IvDrugUse => "Intravenous drug use raises the risk of spinal infection and endocarditis.",
            Self::SystemicallyUnwell => {
                "Feeling generally ill with pain suggests infection, malignancy or \
                 inflammatory disease."
            }
        }
    }
}

/// The warning that goes with a note recording red flags, naming each once in catalogue order, or `None`
/// when there are none.
pub fn warning(flags: &[RedFlag]) -> Option<String> {
    let names: Vec<&str> = RedFlag::ALL
        .into_iter()
        .filter(|flag| flags.contains(flag))
        .map(RedFlag::name)
        .collect();
    if names.is_empty() {
        return None;
    }
    let noun = if names.len() == 1 { "Red flag" } else { "Red flags" };
    Some(format!(
        "{noun} recorded: {}. Assess urgently or refer; signing requires acknowledging them.",
        names.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_reads_back_and_is_named_in_the_error() {
        let message = RedFlagError::Unknown.to_string();
        for flag in RedFlag::ALL {
            assert_eq!(RedFlag::parse(flag.as_str()), Ok(flag));
            assert!(
                message.contains(flag.as_str()),
                "{flag} missing from the error message"
            );
            assert!(!flag.name().is_empty() && flag.why().ends_with('.'), "{flag}");
        }
    }

    #[test]
    fn unknown_codes_are_refused() {
        for bad in ["", "Fever", "back_pain", "fever "] {
            assert_eq!(RedFlag::parse(bad), Err(RedFlagError::Unknown), "{bad:?}");
        }
        assert_eq!(RedFlagError::Unknown.code(), "unknown_red_flag");
        assert!(serde_json::from_str::<RedFlag>("\"nope\"").is_err());
    }

    #[test]
    fn the_warning_names_each_flag_once_in_catalogue_order() {
        assert_eq!(warning(&[]), None);
        assert_eq!(
            warning(&[RedFlag::Fever]).unwrap(),
            "Red flag recorded: fever. Assess urgently or refer; signing requires acknowledging them."
        );
        let text = warning(&[RedFlag::NightPain, RedFlag::SaddleAnaesthesia, RedFlag::NightPain]).unwrap();
        assert!(
            text.starts_with("Red flags recorded: saddle anaesthesia, night pain."),
            "{text}"
        );
    }
}
