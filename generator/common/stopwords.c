/* The English stop-word list of the trends figure (docs/figures.md):
 * function words and chat filler that say nothing about a topic.
 * Sorted by bytes (strcmp order); looked up through a hash table. */
#include "common/stopwords.h"

#include <pthread.h>
#include <string.h>

#include "common/hashfn.h"

static const char *const stopwords_list[] = {
    "a", "able", "about", "above", "actually", "after", "again", "against",
    "ago", "all", "already", "also", "although", "am", "an", "and",
    "another", "any", "anyone", "anything", "are", "aren", "as", "ask",
    "asked", "at", "back", "be", "because", "been", "before", "being",
    "below", "between", "bit", "both", "but", "by", "came", "can",
    "cannot", "cant", "come", "could", "couldn", "couldnt", "d", "day",
    "days", "dear", "did", "didn", "didnt", "do", "does", "doesn",
    "doesnt", "doing", "don", "dont", "down", "during", "each", "eight",
    "else", "etc", "even", "every", "everyone", "everything", "few", "first",
    "five", "for", "four", "from", "further", "gave", "get", "gets",
    "getting", "give", "go", "goes", "going", "gone", "gonna", "got",
    "gotta", "had", "hadn", "has", "hasn", "hasnt", "have", "haven",
    "havent", "having", "he", "hello", "her", "here", "hers", "herself",
    "hey", "hi", "him", "himself", "his", "hour", "hours", "how",
    "however", "hv", "i", "id", "if", "ill", "im", "in",
    "into", "is", "isn", "isnt", "it", "its", "itself", "ive",
    "just", "kinda", "knew", "know", "let", "like", "ll", "look",
    "looking", "lot", "lots", "m", "made", "make", "many", "maybe",
    "me", "minute", "minutes", "more", "most", "much", "mustn", "my",
    "myself", "n", "need", "needed", "new", "nine", "no", "nope",
    "nor", "not", "nothing", "now", "of", "off", "ok", "okay",
    "on", "once", "one", "only", "or", "other", "ought", "our",
    "ours", "ourselves", "out", "over", "own", "per", "please", "pls",
    "plz", "r", "re", "really", "s", "said", "same", "saw",
    "say", "second", "see", "seven", "shan", "she", "should", "shouldn",
    "shouldnt", "since", "six", "sm1", "so", "some", "someone", "something",
    "soon", "still", "stuff", "such", "sure", "t", "take", "tell",
    "ten", "than", "thank", "thanks", "that", "thats", "the", "their",
    "theirs", "them", "themselves", "then", "there", "theres", "these", "they",
    "thing", "things", "think", "this", "those", "though", "thought", "three",
    "through", "thx", "time", "to", "today", "told", "tomorrow", "too",
    "took", "two", "u", "under", "until", "up", "ur", "us",
    "ve", "very", "via", "wanna", "want", "wanted", "was", "wasn",
    "wasnt", "way", "we", "week", "weeks", "well", "went", "were",
    "weren", "what", "when", "where", "whether", "which", "while", "who",
    "whom", "why", "will", "with", "within", "without", "won", "wont",
    "would", "wouldn", "wouldnt", "yeah", "yep", "yes", "yesterday", "yet",
    "you", "your", "youre", "yours", "yourself", "yourselves"
};

#define STOPWORDS_SLOTS 1024 /* power of two, > 2 x the list */

static const char *stopwords_table[STOPWORDS_SLOTS];
static pthread_once_t stopwords_once = PTHREAD_ONCE_INIT;

static void stopwords_build(void)
{
    for (size_t i = 0; i < sizeof stopwords_list / sizeof stopwords_list[0]; i++) {
        const char *w = stopwords_list[i];
        size_t h = (size_t)hashfn_bytes(w, strlen(w), 0x570b) & (STOPWORDS_SLOTS - 1);
        while (stopwords_table[h])
            h = (h + 1) & (STOPWORDS_SLOTS - 1);
        stopwords_table[h] = w;
    }
}

bool stopwords_contains(const char *word, size_t len)
{
    if (len > 16) /* no stop word is that long */
        return false;
    pthread_once(&stopwords_once, stopwords_build);
    size_t h = (size_t)hashfn_bytes(word, len, 0x570b) & (STOPWORDS_SLOTS - 1);
    for (const char *w; (w = stopwords_table[h]); h = (h + 1) & (STOPWORDS_SLOTS - 1))
        if (!strncmp(w, word, len) && w[len] == '\0')
            return true;
    return false;
}

size_t stopwords_count(void)
{
    return sizeof stopwords_list / sizeof stopwords_list[0];
}

const char *stopwords_at(size_t i)
{
    return i < stopwords_count() ? stopwords_list[i] : NULL;
}
